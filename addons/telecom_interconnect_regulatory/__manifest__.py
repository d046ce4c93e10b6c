{
    "name": "Telecom Interconnect CPNI Log",
    "summary": "Bridge: staff reads of interconnect trunk records' numbers go to the CPNI "
    "access log",
    "version": "18.0.1.0.0",
    "category": "Sales/Telecom",
    "author": "Telecom BSS Team",
    "license": "LGPL-3",
    "depends": ["telecom_interconnect", "telecom_regulatory"],
    "data": [],
    "auto_install": True,
    "installable": True,
}
