{
    "name": "Telecom Migration",
    "summary": "Cut-over from a legacy billing system: customers, services, balances, history, "
    "validation report and the parallel run",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_billing", "telecom_numbers", "telecom_file_channel", "portal"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_migration_rules.xml",
        "views/telecom_migration_views.xml",
        "views/telecom_migration_duplicate_views.xml",
        "views/telecom_parallel_run_views.xml",
        "views/portal_templates.xml",
        "views/telecom_migration_menus.xml",
    ],
    "demo": ["demo/telecom_migration_demo.xml"],
    "installable": True,
}
