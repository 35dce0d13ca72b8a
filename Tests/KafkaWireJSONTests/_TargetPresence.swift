// Keeps the test target present until its tests land (SwiftPM rejects a target with no sources).
