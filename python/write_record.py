"""Writes the INSTALLER and RECORD of an installed h5dig (run by `cmake --install`; the wheel
spec's list of installed files with their hashes, so that `pip uninstall h5dig`
and `pip show -f h5dig` know what was installed).

    write_record.py SITE_DIR DIST_INFO_NAME

Lists every file under SITE_DIR/h5dig and SITE_DIR/DIST_INFO_NAME, paths relative
to SITE_DIR, `path,sha256=<urlsafe base64, unpadded>,size`; RECORD itself last,
with no hash (as the spec says).
"""
import base64
import hashlib
import sys
from pathlib import Path

site, dist_info = Path(sys.argv[1]), sys.argv[2]
(site / dist_info / "INSTALLER").write_text("cmake\n")
rows = []
for top in ["h5dig", dist_info]:
    for path in sorted((site / top).rglob("*")):
        if path.is_file() and path.name != "RECORD" and "__pycache__" not in path.parts:
            data = path.read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{path.relative_to(site).as_posix()},sha256={digest},{len(data)}")
rows.append(f"{dist_info}/RECORD,,")
tmp = site / dist_info / "RECORD.tmp"
tmp.write_text("\n".join(rows) + "\n")
tmp.replace(site / dist_info / "RECORD")
