# The CPU backend's sources, shared by the library and the emulation tier. The fast path's tiles
# are compiled once per instruction set, each file with its own flags (never -march=native: the
# library must run on any x86-64 CPU; cpu_isa.cpp picks the variant at run time).
set(kgen_cpu_dir ${CMAKE_CURRENT_LIST_DIR}/../native/src/cpu)
set(kgen_cpu_sources
  ${kgen_cpu_dir}/cpu_backend.cpp
  ${kgen_cpu_dir}/cpu_isa.cpp
  ${kgen_cpu_dir}/thread_pool.cpp
  ${kgen_cpu_dir}/kernel_sums_cpu.cpp
  ${kgen_cpu_dir}/pairwise_cpu.cpp
  ${kgen_cpu_dir}/rng_cpu.cpp
  ${kgen_cpu_dir}/rows_cpu.cpp
  ${kgen_cpu_dir}/fast/blas.cpp
  ${kgen_cpu_dir}/fast/fast_sums.cpp
  ${kgen_cpu_dir}/fast/tiles_portable.cpp
  ${kgen_cpu_dir}/fast/tiles_avx2.cpp
  ${kgen_cpu_dir}/fast/tiles_avx512.cpp)

# The tiles contract a * b + c into FMA: they hold no Philox arithmetic, which must not.
set(kgen_tile_flags -O3 -ffp-contract=fast -fno-math-errno)

function(kgen_add_cpu_backend target)
  target_sources(${target} PRIVATE ${kgen_cpu_sources})
  target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS})  # blas.cpp opens OpenBLAS at run time
  set_source_files_properties(${kgen_cpu_dir}/fast/tiles_portable.cpp TARGET_DIRECTORY ${target}
    PROPERTIES COMPILE_OPTIONS "${kgen_tile_flags}")
  set_source_files_properties(${kgen_cpu_dir}/fast/tiles_avx2.cpp TARGET_DIRECTORY ${target}
    PROPERTIES COMPILE_OPTIONS "${kgen_tile_flags};-mavx2;-mfma")
  set_source_files_properties(${kgen_cpu_dir}/fast/tiles_avx512.cpp TARGET_DIRECTORY ${target}
    PROPERTIES COMPILE_OPTIONS "${kgen_tile_flags};-mavx512f;-mavx512dq;-mavx512vl;-mavx512bw;-mavx2;-mfma")
endfunction()
