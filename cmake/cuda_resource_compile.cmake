# cmake -DNVCC=... -DARCH=sm_90a -DSOURCE=x.cu -DOUTPUT=x.ptxas.txt -DINCLUDES="a;b" -P this:
# compiles SOURCE to a throw-away cubin with ptxas' resource report and keeps the report.
set(include_flags)
foreach(dir ${INCLUDES})
  list(APPEND include_flags -I${dir})
endforeach()
get_filename_component(cubin ${OUTPUT} NAME_WE)
get_filename_component(folder ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${folder})
execute_process(
  COMMAND ${NVCC} -cubin -arch=${ARCH} --resource-usage -std=c++17 -O3 --expt-relaxed-constexpr
    -DKGEN_WITH_CUDA ${include_flags} -o ${folder}/${cubin}.cubin ${SOURCE}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "nvcc failed on ${SOURCE}:\n${out}${err}")
endif()
file(WRITE ${OUTPUT} "${out}${err}")
