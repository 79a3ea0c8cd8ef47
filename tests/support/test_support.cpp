// test support (being written)
