"""Issue 21 on an existing database.

- The CPNI breach waiting period is kept in force by default: companies still at the former
  default of 0 business days get 7 (47 CFR 64.2011(b)).
- The demo 911 provider answers nowhere: it is deactivated, so that VoIP activations of a demo
  database are not held for an E911 validation that cannot come (new databases get it inactive
  from the demo data).
"""


def migrate(cr, version):
    cr.execute(
        "UPDATE res_company SET telecom_cpni_breach_wait_days = 7 "
        "WHERE COALESCE(telecom_cpni_breach_wait_days, 0) = 0"
    )
    cr.execute(
        """
        UPDATE telecom_e911_provider p SET active = FALSE
          FROM ir_model_data d
         WHERE d.module = 'telecom_regulatory' AND d.name = 'demo_e911_provider'
           AND d.model = 'telecom.e911.provider' AND d.res_id = p.id
           AND p.url = 'http://127.0.0.1:9911'
        """
    )
