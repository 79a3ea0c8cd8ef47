#pragma once
// omnictl's command line. run() is main() minus the process: tests call it directly.
namespace og::cli {
int run(int argc, char** argv);
}  // namespace og::cli
