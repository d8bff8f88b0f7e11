"""Platform adapters: WeCom / 政务微信 and DingTalk / 专有钉钉 crypto, callback parsing, API
clients and Stream mode, and the one `Message` / `Reply` they produce and render. Below `bot/`
and `reminders/`; imports nothing of the project but `worktime/`."""
