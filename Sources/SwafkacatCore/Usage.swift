/// swafkacat's help and version texts.
public enum Usage {
    /// swafkacat's version.
    public static let version = "0.1.0"

    /// The banner `-V` prints (and `-h` after its first line).
    public static var banner: String {
        """
        swafkacat - Apache Kafka producer and consumer tool, kcat-compatible, on Swafka's pure-Swift client
        Version \(version) (JSON, pure Swift: no librdkafka, no JVM; codecs gzip,snappy,lz4,zstd; protocol trace)


        """
    }

    /// The full help; `program` is argv[0] as typed, as kcat prints it.
    public static func help(program: String) -> String {
        "Usage: \(program) <options> [file1 file2 .. | topic1 topic2 ..]]\n" + banner + body
    }

    static let body = #"""

    General options:
      -C | -P | -L | -Q  Mode: Consume, Produce, Metadata List, Query mode
      -G <group-id>      Mode: High-level KafkaConsumer (Kafka >=0.9 balanced consumer groups)
                         Expects a list of topics to subscribe to
      -t <topic>         Topic to consume from, produce to, or list
      -p <partition>     Partition
      -b <brokers,..>    Bootstrap broker(s) (host[:port])
      -D <delim>         Message delimiter string:
                         a-z | \r | \n | \t | \xNN ..
                         Default: \n
      -K <delim>         Key delimiter (same format as -D)
      -c <cnt>           Limit message count
      -m <seconds>       Metadata (et.al.) request timeout.
                         This limits how long swafkacat will block
                         while waiting for initial metadata to be
                         retrieved from the Kafka cluster.
                         It also sets the timeout for the producer's
                         transaction commits, init, aborts, etc.
                         Default: 5 seconds.
      -F <config-file>   Read configuration properties from file,
                         file format is "property=value".
                         The SWAFKACAT_CONFIG=path and KCAT_CONFIG=path environment
                         variables can also be used, but -F takes precedence.
                         The default configuration file is $HOME/.config/swafkacat.conf,
                         else $HOME/.config/kcat.conf
      -X list            List available configuration properties
      -X prop=val        Set configuration property.
                         Properties prefixed with "topic." are
                         applied as topic properties.
      -X dump            Dump configuration and exit.
      -d <dbg1,...>      Enable debugging:
                         all,generic,broker,topic,metadata,feature,queue,msg,protocol,cgrp,security,fetch,interceptor,plugin,consumer,admin,eos,mock,assignor,conf,telemetry
                         (swafkacat traces protocol, broker, metadata and admin)
      -q                 Be quiet (verbosity set to 0)
      -v                 Increase verbosity
      -E                 Do not exit on non-fatal error
      -V                 Print version
      -h                 Print usage help

    Producer options:
      -z snappy|gzip|lz4|zstd Message compression. Default: none
      -p -1              Use random partitioner
      -D <delim>         Delimiter to split input into messages
      -K <delim>         Delimiter to split input key and message
      -k <str>           Use a fixed key for all messages.
                         If combined with -K, per-message keys
                         takes precendence.
      -H <header=value>  Add Message Headers (may be specified multiple times)
      -l                 Send messages from a file separated by
                         delimiter, as with stdin.
                         (only one file allowed)
      -T                 Output sent messages to stdout, acting like tee.
      -c <cnt>           Exit after producing this number of messages
      -Z                 Send empty messages as NULL messages
      file1 file2..      Read messages from files.
                         With -l, only one file permitted.
                         Otherwise, the entire file contents will
                         be sent as one single message.
      -X transactional.id=.. Enable transactions and send all
                         messages in a single transaction which
                         is committed when stdin is closed or the
                         input file(s) are fully read.
                         If swafkacat is terminated through Ctrl-C
                         (et.al) the transaction will be aborted.

    Consumer options:
      -o <offset>        Offset to start consuming from:
                         beginning | end | stored |
                         <value>  (absolute offset) |
                         -<value> (relative offset from end)
                         s@<value> (timestamp in ms to start at)
                         e@<value> (timestamp in ms to stop at (not included))
      -e                 Exit successfully when last message received
      -f <fmt..>         Output formatting string, see below.
                         Takes precedence over -D and -K.
      -J                 Output with JSON envelope
      -s key=<serdes>    Deserialize non-NULL keys using <serdes>.
      -s value=<serdes>  Deserialize non-NULL values using <serdes>.
      -s <serdes>        Deserialize non-NULL keys and values using <serdes>.
                         Available deserializers (<serdes>):
                           <pack-str> - A combination of:
                                        <: little-endian,
                                        >: big-endian (recommended),
                                        b: signed 8-bit integer
                                        B: unsigned 8-bit integer
                                        h: signed 16-bit integer
                                        H: unsigned 16-bit integer
                                        i: signed 32-bit integer
                                        I: unsigned 32-bit integer
                                        q: signed 64-bit integer
                                        Q: unsigned 64-bit integer
                                        c: ASCII character
                                        s: remaining data is string
                                        $: match end-of-input (no more bytes remaining or a parse error is raised).
                                           Not including this token skips any
                                           remaining data after the pack-str is
                                           exhausted.
      -D <delim>         Delimiter to separate messages on output
      -K <delim>         Print message keys prefixing the message
                         with specified delimiter.
      -O                 Print message offset using -K delimiter
      -c <cnt>           Exit after consuming this number of messages
      -Z                 Print NULL values and keys as "NULL" instead of empty.
                         For JSON (-J) the nullstr is always null.
      -u                 Unbuffered output

    Metadata options (-L):
      -t <topic>         Topic to query (optional)

    Query options (-Q):
      -t <t>:<p>:<ts>    Get offset for topic <t>,
                         partition <p>, timestamp <ts>.
                         Timestamp is the number of milliseconds
                         since epoch UTC.
                         Requires broker >= 0.10.0.0.
                         Multiple -t .. are allowed but a partition
                         must only occur once.

    swafkacat options (beyond kcat):
      --decode <file>    Print the Kafka frames in <file> (each with its 4-byte
                         size prefix, as on the wire) as JSON, one per line.
                         A frame is a request when its header parses as one
                         (known API key and version, plausible client id),
                         else a response to an earlier request with the same
                         correlation id.
      --decode-requests  Every frame in the file is a request.
      --decode-responses Every frame in the file is a response.
      --api <name|key>   The API of responses without a request in the file,
      --api-version <n>  and their version.
      --records decoded  Record batches as JSON objects (default: base64).
      --pretty           Indented JSON.
      --create-topic <name>:<partitions>[:<replication>]
                         Create a topic (may be given multiple times).
      --delete-topic <name>
                         Delete a topic (may be given multiple times).
      --list-groups      List consumer groups with their members, assignments,
                         committed offsets and lag.
      --describe-group <group>
                         The same for one group (may be given multiple times).
      --help, --version  As -h and -V.

    Format string tokens:
      %s                 Message payload
      %S                 Message payload length (or -1 for NULL)
      %R                 Message payload length (or -1 for NULL) serialized
                         as a binary big endian 32-bit signed integer
      %k                 Message key
      %K                 Message key length (or -1 for NULL)
      %T                 Message timestamp (milliseconds since epoch UTC)
      %h                 Message headers (n=v CSV)
      %t                 Topic
      %p                 Partition
      %o                 Message offset
      \n \r \t           Newlines, tab
      \xXX \xNNN         Any ASCII character
     Example:
      -f 'Topic %t [%p] at offset %o: key %k: %s\n'

    JSON message envelope (on one line) when consuming with -J:
     { "topic": str, "partition": int, "offset": int,
       "tstype": "create|logappend|unknown", "ts": int, // timestamp in milliseconds since epoch
       "broker": int,
       "headers": [ "<name>", str|null, .. ], // optional
       "key": str|json, "payload": str|json }

    Consumer mode (writes messages to stdout):
      swafkacat -b <broker> -t <topic> -p <partition>
     or:
      swafkacat -C -b ...

    High-level KafkaConsumer mode:
      swafkacat -b <broker> -G <group-id> topic1 top2 ^aregex\d+

    Producer mode (reads messages from stdin):
      ... | swafkacat -b <broker> -t <topic> -p <partition>
     or:
      swafkacat -P -b ...

    Metadata listing:
      swafkacat -L -b <broker> [-t <topic>]

    Query offset by timestamp:
      swafkacat -Q -b broker -t <topic>:<partition>:<timestamp>


    """#
}
