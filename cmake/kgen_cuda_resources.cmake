# Registers, shared memory and spills of every CUDA kernel instantiation, from ptxas itself.
# Each CUDA source of the library is compiled once more, to a cubin for one architecture
# (sm_90a, the one the fast paths are tuned for) with --resource-usage; the output is kept per
# source. The CTest test kgen_cuda_no_spills reads it, writes the per-kernel table
# cuda_resource_usage.txt (which bench/cuda-lab prints) and fails when any kernel spills
# registers to local memory: a spill in a hot loop costs more than any tuning gains.
# Included from the top-level CMakeLists.txt when the CUDA backend is built.

set(KGEN_RESOURCE_ARCH "sm_90a" CACHE STRING "Architecture whose ptxas resource usage is checked for spills")
set(kgen_resource_dir ${CMAKE_BINARY_DIR}/cuda_resources)
file(GLOB kgen_cuda_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/native/src/cuda/*.cuh
  ${PROJECT_SOURCE_DIR}/native/src/cuda/*.h ${PROJECT_SOURCE_DIR}/native/src/common/*.h)

function(kgen_cuda_resources target)
  set(outputs)
  foreach(source ${ARGN})
    get_filename_component(name ${source} NAME_WE)
    set(out ${kgen_resource_dir}/${name}.ptxas.txt)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DNVCC=${CMAKE_CUDA_COMPILER} -DARCH=${KGEN_RESOURCE_ARCH}
        -DSOURCE=${PROJECT_SOURCE_DIR}/${source} -DOUTPUT=${out}
        "-DINCLUDES=${PROJECT_SOURCE_DIR}/native/include;${PROJECT_SOURCE_DIR}/native/src"
        -P ${PROJECT_SOURCE_DIR}/cmake/cuda_resource_compile.cmake
      DEPENDS ${PROJECT_SOURCE_DIR}/${source} ${kgen_cuda_headers} ${PROJECT_SOURCE_DIR}/cmake/cuda_resource_compile.cmake
      COMMENT "ptxas resource usage of ${source} (${KGEN_RESOURCE_ARCH})"
      VERBATIM)
    list(APPEND outputs ${out})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${outputs})
  set(kgen_resource_outputs ${outputs} PARENT_SCOPE)
endfunction()

kgen_cuda_resources(kgen_cuda_resources ${kgen_cuda_sources})

find_program(KGEN_CXXFILT NAMES c++filt cu++filt)
if(KGEN_BUILD_SELFTEST)
  add_test(NAME kgen_cuda_no_spills COMMAND ${CMAKE_COMMAND} "-DINPUTS=${kgen_resource_outputs}"
    -DREPORT=${CMAKE_BINARY_DIR}/cuda_resource_usage.txt -DCXXFILT=${KGEN_CXXFILT}
    -P ${PROJECT_SOURCE_DIR}/cmake/cuda_resource_check.cmake)
endif()
