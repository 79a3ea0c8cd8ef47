// omnictl: the Omnigate OS operator CLI.
#include "cli/cli.h"

int main(int argc, char** argv) { return og::cli::run(argc, argv); }
