{
    "name": "Telecom Catalog",
    "summary": "Plans, add-ons, promotions, effective-dated prices and broadband labels "
    "for a US telecom operator",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["sale_management", "account", "contacts", "portal"],
    "data": [
        "security/telecom_catalog_groups.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/product_template_views.xml",
        "views/telecom_attribute_views.xml",
        "views/telecom_catalog_menus.xml",
    ],
    "demo": [],
    "application": True,
    "installable": True,
}
