"""18.0.1.1.0: an outbound channel's single exporter became scheduled files; a channel that
wrote the payments report gets a daily *Payments received* scheduled file."""


def migrate(cr, version):
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'telecom_file_channel' AND column_name = 'exporter_1_0'"""
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO telecom_file_export (sequence, name, active, channel_id, company_id, extract,
                                         period, filename_pattern, next_date, create_uid,
                                         create_date, write_uid, write_date)
        SELECT 10, 'Payments received', TRUE, c.id, c.company_id, 'payment_report', 'daily',
               'payments-%Y%m%d.csv', CURRENT_DATE, 1, now() AT TIME ZONE 'UTC', 1,
               now() AT TIME ZONE 'UTC'
          FROM telecom_file_channel c
         WHERE c.exporter_1_0 = 'payment_report'
           AND NOT EXISTS (SELECT 1 FROM telecom_file_export e WHERE e.channel_id = c.id)
        """
    )
    cr.execute("ALTER TABLE telecom_file_channel DROP COLUMN exporter_1_0")
