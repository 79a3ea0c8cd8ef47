cmake_minimum_required(VERSION 3.16)
# layers.omnictl_links: omnictl links the daemon's narrow libraries (store, secrets,
# accounts, mail, log), never omnid's whole library. FILE is written at configure time by
# tests/CMakeLists.txt: every target omnictl links, directly or through other targets.
# Run: cmake -DFILE=<omnictl_link_closure.txt> -P links.cmake
file(STRINGS ${FILE} closure)
if(NOT closure)
  message(FATAL_ERROR "${FILE}: empty; omnictl links nothing?")
endif()
foreach(forbidden omnigate_daemon_lib omnid)
  if(forbidden IN_LIST closure)
    message(FATAL_ERROR "omnictl links ${forbidden}; it may link only: omnigate_common, the installer and "
                        "the daemon's narrow libraries (daemon/CMakeLists.txt). It links: ${closure}")
  endif()
endforeach()
foreach(expected omnigate_installer omnigate_store)
  if(NOT expected IN_LIST closure)
    message(FATAL_ERROR "omnictl does not link ${expected}; is ${FILE} stale? It links: ${closure}")
  endif()
endforeach()
message(STATUS "omnictl links: ${closure}")
