"""Mutation pass over a pure module: small AST mutants (comparison, arithmetic and boolean operators,
integer constants, True/False, `not` dropped), each run against the module's tests in this one
process with a time limit. A script, not a timed test.

    python benchmarks/mutate.py app.core.values tests/app/test_values.py
    python benchmarks/mutate.py app.core.fiscal tests/app/test_fiscal.py --list

A mutant is killed when a test fails or the time limit (10 s) runs out. Each mutant is put in place
by swapping the code of the module's functions and methods (and its plain module constants) and
restored afterwards, so no file is written. Docstrings, type annotations and default argument
values and decorators (a cache's size: no test can see it) are not mutated. Prints each survivor (line, what changed) and the kill rate.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import importlib
import io
import signal
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
        ast.IsNot: ast.Is, ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div,
        ast.Div: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.And: ast.Or,
        ast.Or: ast.And}
TIME_LIMIT = 10


def _skipped(tree: ast.AST) -> set[int]:
    """Nodes not to mutate: docstrings, annotations, default argument values, decorators."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in (*node.args.defaults, *node.args.kw_defaults, node.returns, *node.decorator_list,
                         *(a.annotation for a in (*node.args.args, *node.args.kwonlyargs))):
                if part is not None:
                    skip.update(id(n) for n in ast.walk(part))
        if isinstance(node, ast.AnnAssign):
            skip.update(id(n) for n in ast.walk(node.annotation))
    return skip


def sites(tree: ast.AST) -> list[tuple[int, str, int]]:
    """Every mutation as (index of the node in ast.walk order, change, line)."""
    skip = _skipped(tree)
    found = []
    for i, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            found += [(i, f"op{k}", line) for k, op in enumerate(node.ops) if type(op) in SWAP]
        elif isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAP:
            found.append((i, "op", line))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((i, "not", line))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            found.append((i, "bool", line))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            found += [(i, "+1", line), (i, "-1", line)]
    return found


class _Apply(ast.NodeTransformer):
    def __init__(self, index: int, change: str):
        self.target, self.change, self.said = index, change, ""

    def run(self, tree: ast.AST) -> ast.AST:
        nodes = list(ast.walk(tree))
        node = nodes[self.target]
        c = self.change
        if c.startswith("op") and c != "op":
            k = int(c[2:])
            old = node.ops[k]
            node.ops[k] = SWAP[type(old)]()
            self.said = f"{type(old).__name__} → {type(node.ops[k]).__name__}"
        elif c == "op":
            old = node.op
            node.op = SWAP[type(old)]()
            self.said = f"{type(old).__name__} → {type(node.op).__name__}"
        elif c == "not":
            self.said = "`not` dropped"
            for parent in nodes:
                for field, value in ast.iter_fields(parent):
                    if value is node:
                        setattr(parent, field, node.operand)
                    elif isinstance(value, list) and any(v is node for v in value):
                        setattr(parent, field, [node.operand if v is node else v for v in value])
        elif c == "bool":
            self.said = f"{node.value} → {not node.value}"
            node.value = not node.value
        else:
            new = node.value + (1 if c == "+1" else -1)
            self.said = f"{node.value} → {new}"
            node.value = new
        return ast.fix_missing_locations(tree)


def _functions(namespace: dict, module_name: str):
    """(qualified name, function) of the module's own functions and methods."""
    for name, value in namespace.items():
        fn = getattr(value, "__wrapped__", value)          # an lru_cache's function too
        if isinstance(fn, types.FunctionType) and fn.__module__ == module_name:
            yield name, fn
        elif isinstance(value, type) and value.__module__ == module_name:
            for attr, member in vars(value).items():
                fn = member.fget if isinstance(member, property) else member
                fn = getattr(fn, "__func__", fn)
                if isinstance(fn, types.FunctionType):
                    yield f"{name}.{attr}", fn


def _clear_caches(module) -> None:
    for value in vars(module).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def _plain(value: object) -> bool:
    return not isinstance(value, (types.FunctionType, type, types.ModuleType)) and not hasattr(value, "__wrapped__")


class _TimeUp(Exception):
    pass


def _alarm(*_):
    raise _TimeUp


def run_tests(tests: list[str]) -> bool:
    """True when every test passes (quietly, in this process, stopping at the first failure)."""
    import pytest

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *tests])
    except _TimeUp:
        return False
    finally:
        signal.alarm(0)
    return code == 0


def main(argv: list[str]) -> int:
    from hypothesis import settings

    settings.register_profile("mutate", deadline=None, max_examples=50, derandomize=True)
    settings.load_profile("mutate")            # no deadline: a busy machine is not a failure
    listing = "--list" in argv
    module_name, *tests = [a for a in argv if a != "--list"]
    module = importlib.import_module(module_name)
    source = Path(module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    original_code = {q: fn.__code__ for q, fn in _functions(vars(module), module_name)}
    original_plain = {k: v for k, v in vars(module).items() if _plain(v) and not k.startswith("__")}
    if not run_tests(tests):
        print("the tests fail without any mutant")
        return 1
    found = sites(tree)
    survivors, unfit = [], 0
    for index, change, line in found:
        apply = _Apply(index, change)
        mutant = apply.run(copy.deepcopy(tree))
        namespace: dict = {"__name__": module_name, "__file__": module.__file__}
        try:
            exec(compile(mutant, module.__file__, "exec"), namespace)
        except Exception:
            continue  # the mutant does not even load: counted as neither
        new = dict(_functions(namespace, module_name))
        try:
            for q, fn in _functions(vars(module), module_name):
                if q in new:
                    fn.__code__ = new[q].__code__
            for k in original_plain:
                if k in namespace:
                    vars(module)[k] = namespace[k]
            _clear_caches(module)
            killed = not run_tests(tests)
        except ValueError:  # a code object that does not fit (closure changed): not counted
            unfit += 1
            continue
        finally:
            for q, fn in _functions(vars(module), module_name):
                fn.__code__ = original_code[q]
            vars(module).update(original_plain)
            _clear_caches(module)
        if not killed:
            survivors.append((line, apply.said, source.splitlines()[line - 1].strip()))
        if listing:
            print(f"{'killed ' if killed else 'SURVIVED'} line {line}: {apply.said}", flush=True)
    total = len(found) - unfit
    for line, said, text in survivors:
        print(f"survivor line {line}: {said}    {text}")
    killed = total - len(survivors)
    print(f"{module_name}: {killed}/{total} mutants killed ({100 * killed / max(total, 1):.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
