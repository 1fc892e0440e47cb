"""Fail on any known vulnerability in the installed, pinned dependencies (pip-audit).

pip-audit asks the package index for each release's known vulnerabilities.
An index that does not serve them (a local mirror, say) leaves packages
"not audited": that is reported in one plain line, never counted as a pass.
Usage: .venv/bin/python .ci/audit_dependencies.py
"""

import json
import subprocess
import sys

result = subprocess.run(
    [
        sys.executable,
        "-m",
        "pip_audit",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
    ],
    capture_output=True,
    text=True,
    check=False,
)
try:
    report = json.loads(result.stdout)
except json.JSONDecodeError:
    print(result.stdout, result.stderr, sep="\n")
    sys.exit("pip-audit did not run")

dependencies = report["dependencies"]
vulnerable = [dep for dep in dependencies if dep.get("vulns")]
not_audited = [dep for dep in dependencies if "skip_reason" in dep]
audited = len(dependencies) - len(not_audited)
for dep in vulnerable:
    for vuln in dep["vulns"]:
        print(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {vuln['fix_versions']})")
print(
    f"pip-audit: {audited} of {len(dependencies)} installed packages audited, "
    f"{len(vulnerable)} with known vulnerabilities"
    + (
        f"; {len(not_audited)} could not be audited because this package index "
        "serves no vulnerability data for them"
        if not_audited
        else ""
    )
)
sys.exit(1 if vulnerable else 0)
