"""The encrypted vault: SQLCipher connection, key slots, migrations, audit log, backup/restore."""
