"""18.0.1.1.0: keep the outbound channels' exporter until post-migrate has turned it into a
scheduled file (the ORM would drop the column of the removed field)."""


def migrate(cr, version):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'telecom_file_channel' AND column_name = 'exporter'"""
    )
    if cr.fetchone():
        cr.execute("ALTER TABLE telecom_file_channel RENAME COLUMN exporter TO exporter_1_0")
