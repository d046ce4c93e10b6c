{
    "name": "Telecom Interconnect Settlement",
    "summary": "Carrier agreements, rate decks, interconnect CDR rating, monthly settlement "
    "and disputes",
    "version": "18.0.1.1.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_usage"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_interconnect_rules.xml",
        "data/ir_sequence_data.xml",
        "data/product_data.xml",
        "data/ir_cron.xml",
        "views/telecom_interconnect_agreement_views.xml",
        "views/telecom_interconnect_deck_views.xml",
        "views/telecom_interconnect_cdr_views.xml",
        "views/telecom_interconnect_settlement_views.xml",
        "views/telecom_interconnect_dispute_views.xml",
        "views/telecom_usage_file_views.xml",
        "views/telecom_interconnect_menus.xml",
    ],
    "demo": [
        "demo/telecom_interconnect_demo.xml",
        "demo/telecom_interconnect_demo_load.xml",
    ],
    "installable": True,
}
