"""18.0.1.1.0: the price before a plan's first price version is kept in its own field.

Until now it was the sales price, which the daily job overwrites with the version in force;
plans that have versions start from their current sales price (check and correct the field on
the plan when the job already moved it)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE product_template t SET telecom_base_price = t.list_price
            WHERE COALESCE(t.telecom_base_price, 0) = 0
              AND EXISTS (SELECT 1 FROM telecom_price_version v WHERE v.product_tmpl_id = t.id)"""
    )
