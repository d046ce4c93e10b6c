"""Odoo's command line, started from a script path rather than ``python -m odoo``.

Odoo's prefork server starts its websocket process by running ``sys.argv[0] gevent ...`` again;
with ``python -m odoo`` that path is ``odoo/__main__.py``, which cannot run as a plain script.
tools/suite.sh starts Odoo through this file so that the re-run works.
"""

from odoo.cli.command import main

if __name__ == "__main__":
    main()
