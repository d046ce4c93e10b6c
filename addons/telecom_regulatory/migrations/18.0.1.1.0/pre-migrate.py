"""Issue 21 on an existing database: the USF contribution factors become the FCC's.

The factors are data without update (staff add quarters), so an update would keep the former,
wrong values of 2025 and clash with the demo's factors of the current year. Before the data is
loaded, every quarter the module ships is set to the FCC's published factor and its public
notice, and bound to the module's record of that quarter.
"""

import re
from pathlib import Path

from odoo.modules.module import get_module_path

RECORD = re.compile(
    r'<record id="(usf_factor_(\d{4})_q(\d))" model="telecom.usf.contribution.factor">.*?'
    r'<field name="factor">([\d.]+)</field>.*?<field name="public_notice">([^<]+)</field>',
    re.DOTALL,
)


def migrate(cr, version):
    if not version:
        return
    data = Path(get_module_path("telecom_regulatory")) / "data"
    text = (data / "telecom_usf_contribution_factor_data.xml").read_text()
    for xmlid, year, quarter, factor, notice in RECORD.findall(text):
        cr.execute(
            """UPDATE telecom_usf_contribution_factor SET factor = %s, public_notice = %s
                WHERE year = %s AND quarter = %s RETURNING id""",
            [factor, notice, int(year), quarter],
        )
        row = cr.fetchone()
        if not row:
            continue
        cr.execute(
            """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
               VALUES ('telecom_regulatory', %s, 'telecom.usf.contribution.factor', %s, TRUE)
               ON CONFLICT (module, name) DO UPDATE SET res_id = EXCLUDED.res_id""",
            [xmlid, row[0]],
        )
