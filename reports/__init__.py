"""What the office sends upward and takes in at once: the month's 通报 and the year's
考核结果通报 (.docx), and the import sheets of the platform's figures (.xlsx). Above the
ledger, beside reminders, below bot and console."""
