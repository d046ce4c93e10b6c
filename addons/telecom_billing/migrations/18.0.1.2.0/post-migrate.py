"""Numbers, SIMs, SIM swaps and port requests get a company (issue 19, 18.0.1.2.0).

The update gave every existing row the main company (the field's default); here each row
takes the company of what it serves instead: a number the company of its service, a SIM that
of its line, a swap that of its SIM, a port request that of its numbers, a tax exemption that
of its customer when the customer belongs to one company. Rows with nothing to follow keep
the main company.
"""

QUERIES = (
    """
    UPDATE telecom_number n SET company_id = s.company_id
      FROM telecom_service s
     WHERE s.id = n.service_id AND s.company_id IS NOT NULL
       AND n.company_id IS DISTINCT FROM s.company_id
    """,
    """
    UPDATE telecom_sim t SET company_id = n.company_id
      FROM telecom_number n
     WHERE n.id = t.number_id AND t.company_id IS DISTINCT FROM n.company_id
    """,
    """
    UPDATE telecom_sim_swap w SET company_id = t.company_id
      FROM telecom_sim t
     WHERE t.id = w.old_sim_id AND w.company_id IS DISTINCT FROM t.company_id
    """,
    """
    UPDATE telecom_port_request r SET company_id = f.company_id
      FROM (SELECT rel.request_id, min(n.company_id) AS company_id
              FROM telecom_port_request_number_rel rel
              JOIN telecom_number n ON n.id = rel.number_id
             GROUP BY rel.request_id) f
     WHERE f.request_id = r.id AND r.company_id IS DISTINCT FROM f.company_id
    """,
    """
    UPDATE telecom_tax_exemption e SET company_id = p.company_id
      FROM res_partner p
     WHERE p.id = e.partner_id AND p.company_id IS NOT NULL
       AND e.company_id IS DISTINCT FROM p.company_id
    """,
)


def migrate(cr, version):
    for query in QUERIES:
        cr.execute(query)
