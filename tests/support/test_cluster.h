#pragma once
// A private PostgreSQL for integration tests: the first use in a test process starts one
// LocalCluster in a fresh directory under /tmp, which is stopped and deleted when the
// process exits. Tests take a fresh database each, so they never see each other's data
// and never need an external server.

#include <string>
#include <string_view>

#include "daemon/store/local_cluster.h"

namespace og::test {

// The cluster shared by this test process (started on first use).
store::LocalCluster& shared_cluster();

// The conninfo for database `dbname` of the shared cluster (which it does not create).
std::string shared_cluster_conninfo_for(const std::string& dbname);

// Creates a new, empty database named <prefix>_<n>_<pid> and returns its conninfo.
std::string fresh_database(std::string_view prefix);

}  // namespace og::test
