// Compression codecs: see issue 2.
