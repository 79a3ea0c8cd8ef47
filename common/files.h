#pragma once
// Writing a file so that readers see the old content or the new, never a part: the content
// goes to a temporary file beside it (created with `mode`, never through a symlink), is
// fsync'ed, and is renamed over the file (or, `exclusive`, linked to a name that must not
// exist yet: an existing file is never replaced). The temporary file is removed on failure.
// Used for keys, certificates, omnid.toml, omnictl's config and tokens.
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace og::files {

// Throws std::runtime_error naming the file and the system's reason.
void write_atomic(const std::filesystem::path& file, std::string_view content, mode_t mode, bool exclusive = false);

}  // namespace og::files
