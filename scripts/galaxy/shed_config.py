"""The parts of a local Galaxy's config that let it install tools from a Tool Shed, as admins do.

Used by write_config.py when it is given --tool-shed-url (the publish-and-install test): Galaxy reads
the list of Tool Sheds (tool_sheds_conf.xml) at start-up only, and puts what it installs into its own
toolbox file (shed_tool_conf.xml, tools under shed_tools/). Jobs are routed by the installed tools'
ids less the version (host/repos/owner/repository/tool), which Galaxy's job configuration matches for
every installed revision, so an update keeps the routing. Standard library only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse


def installed_tool_id(tool_shed_url: str, owner: str, repository: str, tool_id: str) -> str:
    """The id of an installed tool, less its version: how Galaxy names it in job configurations."""
    return f"{urlparse(tool_shed_url).netloc}/repos/{owner}/{repository}/{tool_id}"


def tool_sheds_conf_xml(tool_shed_url: str) -> str:
    """The Tool Sheds this Galaxy may install from: only the given one."""
    sheds = ET.Element("tool_sheds")
    ET.SubElement(sheds, "tool_shed", name="Local Tool Shed", url=tool_shed_url.rstrip("/") + "/")
    ET.indent(sheds)
    return '<?xml version="1.0"?>\n' + ET.tostring(sheds, encoding="unicode") + "\n"


def write_shed_files(state_dir: Path, tool_shed_url: str) -> dict[str, str]:
    """Write tool_sheds_conf.xml and an empty shed_tool_conf.xml (kept when it exists: it lists what is
    installed); return the galaxy.yml settings that point at them."""
    shed_tools = state_dir / "shed_tools"
    shed_tools.mkdir(parents=True, exist_ok=True)
    shed_tool_conf = state_dir / "shed_tool_conf.xml"
    if not shed_tool_conf.exists():
        shed_tool_conf.write_text(f'<?xml version="1.0"?>\n<toolbox tool_path="{shed_tools}">\n</toolbox>\n')
    sheds = state_dir / "tool_sheds_conf.xml"
    sheds.write_text(tool_sheds_conf_xml(tool_shed_url))
    return {
        "tool_config_file": f"{state_dir / 'tool_conf.xml'},{shed_tool_conf}",
        "shed_tool_config_file": str(shed_tool_conf),
        "tool_sheds_config_file": str(sheds),
    }
