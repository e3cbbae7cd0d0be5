// gort/runtime/internal/wait_reason.hpp — why a goroutine is waiting, with Go's strings.
//
// The enumerators and their text mirror waitReason in golang/go
// src/runtime/runtime2.go, in Go's order, so goroutine dumps read exactly as
// Go's ("goroutine 7 [chan receive]:").
#pragma once

#include <cstdint>

namespace gort::runtime {

enum class WaitReason : uint8_t {
  Zero,                    // ""
  GCAssistMarking,         // "GC assist marking"
  IOWait,                  // "IO wait"
  ChanReceiveNilChan,      // "chan receive (nil chan)"
  ChanSendNilChan,         // "chan send (nil chan)"
  DumpingHeap,             // "dumping heap"
  GarbageCollection,       // "garbage collection"
  GarbageCollectionScan,   // "garbage collection scan"
  PanicWait,               // "panicwait"
  Select,                  // "select"
  SelectNoCases,           // "select (no cases)"
  GCAssistWait,            // "GC assist wait"
  GCSweepWait,             // "GC sweep wait"
  GCScavengeWait,          // "GC scavenge wait"
  ChanReceive,             // "chan receive"
  ChanSend,                // "chan send"
  FinalizerWait,           // "finalizer wait"
  ForceGCIdle,             // "force gc (idle)"
  Semacquire,              // "semacquire"
  Sleep,                   // "sleep"
  SyncCondWait,            // "sync.Cond.Wait"
  SyncMutexLock,           // "sync.Mutex.Lock"
  SyncRWMutexRLock,        // "sync.RWMutex.RLock"
  SyncRWMutexLock,         // "sync.RWMutex.Lock"
  SyncWaitGroupWait,       // "sync.WaitGroup.Wait"
  TraceReaderBlocked,      // "trace reader (blocked)"
  WaitForGCCycle,          // "wait for GC cycle"
  GCWorkerIdle,            // "GC worker (idle)"
  GCWorkerActive,          // "GC worker (active)"
  Preempted,               // "preempted"
  DebugCall,               // "debug call"
  GCMarkTermination,       // "GC mark termination"
  StoppingTheWorld,        // "stopping the world"
  kCount,
};

/// Returns Go's text for a wait reason ("chan receive", "sleep", ...).
const char* wait_reason_string(WaitReason r);

}  // namespace gort::runtime
