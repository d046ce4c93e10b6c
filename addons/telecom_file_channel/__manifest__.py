{
    "name": "Telecom File Channels",
    "summary": "File-based integration: local or SFTP folders polled for CDR, SIM and "
    "payment files, and outbound files on schedule",
    "version": "18.0.1.1.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_interconnect", "telecom_regulatory"],
    "data": [
        "security/ir.model.access.csv",
        "security/telecom_file_channel_rules.xml",
        "data/ir_cron.xml",
        "views/telecom_file_channel_views.xml",
        "views/telecom_file_export_views.xml",
        "views/telecom_payment_file_views.xml",
        "views/telecom_file_channel_menus.xml",
    ],
    "demo": ["demo/telecom_file_channel_demo.xml"],
    "installable": True,
}
