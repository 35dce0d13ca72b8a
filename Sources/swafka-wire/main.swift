print("swafka-wire: not implemented yet")
