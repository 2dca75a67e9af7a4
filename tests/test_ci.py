"""The Windows workflow and .ci/run build and check the bundle the same way, and run the README's
own commands."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_windows_workflow_is_in_step_with_the_linux_bundle_check():
    linux = (ROOT / ".ci" / "run").read_text()
    windows = (ROOT / ".github" / "workflows" / "windows.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "runs-on: windows-latest" in windows
    assert re.search(r"python packaging/build.py --dist \S+ --check", linux)
    assert re.search(r"python packaging\\build.py --dist \S+ --check", windows)
    assert '".[bundle]"' in linux and '".[bundle]"' in windows                 # the same extras
    version = re.search(r'python-version: "([\d.]+)"', windows).group(1)
    assert f"Install Python {version}" in readme                      # the README's Windows steps
    test_command = re.search(r'pip install "\.\[test\]" && python -m pytest[^\n`]*', readme).group(0)
    assert test_command in linux                                      # README's test command, exactly
