import KafkaClient
import Testing
