// Inputs the fuzzers (tests/fuzz/) found, as unit tests of the normal build. Each input is
// also in tests/fuzz/corpus/NAME/regression-* (replayed by ctest -L fuzz) once fixed; a bug
// still open is tagged [!shouldfail] here, with its input in tests/fuzz/open/NAME/: when it
// is fixed this test fails, which says to drop the tag and move the input to the corpus.
#include <catch2/catch.hpp>
#include <string>

#include "daemon/config.h"

using og::ConfigError;
using og::parse_config;

// fuzz_config: an integer key beyond the range of its field was wrapped, not refused:
// io_threads = 4294967298 ran 2 I/O threads; read_timeout_seconds = 2147483648 became a
// negative timeout. daemon/config.cpp, Reader::get: `out = static_cast<T>(v)`.
TEST_CASE("config: an integer too large for its key is refused, not wrapped", "[config][fuzz][!shouldfail]") {
  CHECK_THROWS_AS(parse_config("[server]\nio_threads = 4294967298\n", "t.toml"), ConfigError);
  CHECK_THROWS_AS(parse_config("[server]\nread_timeout_seconds = 2147483648\n", "t.toml"), ConfigError);
}
