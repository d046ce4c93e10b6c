"""The CPNI registers get a company (issue 19, 18.0.1.2.0).

The update gave every existing row the main company (the field's default); a row about a
customer who belongs to one company takes that company instead.
"""

TABLES = ("telecom_cpni_access_log", "telecom_cpni_authentication", "telecom_cpni_notice")


def migrate(cr, version):
    for table in TABLES:
        cr.execute(
            f"""
            UPDATE {table} r SET company_id = p.company_id
              FROM res_partner p
             WHERE p.id = r.partner_id AND p.company_id IS NOT NULL
               AND r.company_id IS DISTINCT FROM p.company_id
            """  # noqa: S608 - table names are the constants above
        )
