# ASan + UBSan for the test build (OMNIGATE_SANITIZE=ON). Applies to every target.
if(OMNIGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++ (std::regex, std::function)
  # once ASan instruments the code; the normal build keeps the warning.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
