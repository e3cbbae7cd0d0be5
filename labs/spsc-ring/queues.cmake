# queues.cmake — spsc-ring's queues as libraries other labs link (chan-bench):
# included by both labs' CMakeLists.txt, defined once whichever lab comes
# first in GORT_LABS or whether spsc-ring is built at all.
#   gort_lab_spsc_ring      the ring itself, header-only (include/spsc_ring.hpp,
#                           std::atomic and nothing of gort), also for its tests;
#   gort_lab_spsc_transfer  one producer/consumer transfer through a ring, a
#                           channel or the mutex queue, with the ring's wait
#                           policies (include/spsclab/, on gort).
include_guard(GLOBAL)
set(_spsc_dir ${CMAKE_CURRENT_LIST_DIR})
add_library(gort_lab_spsc_ring INTERFACE)
target_include_directories(gort_lab_spsc_ring INTERFACE ${_spsc_dir}/include)
add_library(gort_lab_spsc_transfer STATIC ${_spsc_dir}/variants.cpp ${_spsc_dir}/wait_policy.cpp
  ${_spsc_dir}/transfer.cpp)
target_link_libraries(gort_lab_spsc_transfer PUBLIC gort::gort gort_lab_spsc_ring)
