// JSON forms of messages.
