# Warnings on for our own targets (not for system headers).
add_library(omnigate_warnings INTERFACE)
target_compile_options(omnigate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  -Wno-missing-field-initializers  # designated initializers leave the rest defaulted
  -Wno-deprecated-declarations)  # libpqxx 7 deprecates APIs 6.4 still needs
if(OMNIGATE_WERROR)
  target_compile_options(omnigate_warnings INTERFACE -Werror)
endif()
