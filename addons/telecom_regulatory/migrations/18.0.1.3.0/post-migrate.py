"""Form 499 interstate/international splits get a company (issue 19, 18.0.1.3.0).

A split is its filer's figures (traffic study, billing records, safe harbor). Until now
every company's Form 499 worksheets read the one table. The update gave the existing rows
the field's default (the main company); every other company with a Form 499 filing gets its
own copy of them, so that its worksheets compute as before. Companies without a 499 filing
used none; they record their splits when they first file (the worksheet names each line
without one).
"""


def migrate(cr, version):
    cr.execute(
        """
        INSERT INTO telecom_form499_split (
            company_id, line_id, regulatory_class, date_from, date_to, method,
            interstate_pct, international_pct, note,
            create_uid, create_date, write_uid, write_date)
        SELECT f.company_id, s.line_id, s.regulatory_class, s.date_from, s.date_to, s.method,
               s.interstate_pct, s.international_pct, s.note,
               s.create_uid, s.create_date, s.write_uid, s.write_date
          FROM telecom_form499_split s
          JOIN (SELECT DISTINCT company_id FROM telecom_regulatory_filing
                 WHERE filing_type IN ('499a', '499q')) f ON f.company_id <> s.company_id
         WHERE NOT EXISTS (
                SELECT 1 FROM telecom_form499_split o
                 WHERE o.company_id = f.company_id AND o.line_id = s.line_id
                   AND o.regulatory_class IS NOT DISTINCT FROM s.regulatory_class
                   AND o.date_from = s.date_from)
        """
    )
