"""The README's test command shows pytest's closing line (`N passed in …`): pyproject's addopts
must not add a second -q to the README's own."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_test_command_ends_with_its_count(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_one():\n    pass\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
                          str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(probe)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout.strip().splitlines()[-1]
