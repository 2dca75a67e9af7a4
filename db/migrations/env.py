"""Alembic environment: db.engine.upgrade() hands in a connection already in its transaction,
so that all the migrations of one upgrade are one transaction (all or nothing)."""
from alembic import context

from db.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # given only an engine, or the plain `alembic` command line (the ini's URL)
    from db.engine import make_engine

    engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        run(conn)
