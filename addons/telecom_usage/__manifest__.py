{
    "name": "Telecom Usage Rating",
    "summary": "CDR import, rate plans, rating, allowances, re-rating and usage on the bill",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_billing"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_usage_rules.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron.xml",
        "data/product_data.xml",
        "wizards/telecom_usage_rerate_wizard_views.xml",
        "views/telecom_rate_plan_views.xml",
        "views/telecom_usage_file_views.xml",
        "views/telecom_ra_finding_views.xml",
        "views/portal_templates.xml",
        "views/telecom_usage_menus.xml",
    ],
    "demo": [
        "demo/telecom_usage_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["telecom_usage/static/tests/tours/*.js"],
    },
    "installable": True,
}
