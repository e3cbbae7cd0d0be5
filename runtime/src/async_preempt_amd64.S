// async_preempt_amd64.S — the function a preemption signal makes a goroutine
// call (mirrors asyncPreempt in preempt_amd64.s).
//
// The SIGURG handler (preempt.cpp) rewrote the interrupted context so that it
// resumes here with rsp = interrupted rsp - 128 - 8: the 128-byte red zone of
// the System V ABI (which leaf C++ code may use without moving rsp) is left
// untouched, and the interrupted rip sits at [rsp] as a return address.
// Here every general register and the flags are saved, the whole FP/SIMD state
// is saved with xsave (x87, SSE, AVX, AVX-512: whatever XCR0 enables) into a
// 64-byte aligned area below, gort_async_preempt_yield() runs (it may switch
// goroutines and resume us on another thread), everything is restored, and
// `ret $128` returns to the interrupted rip with rsp back where it was.
    .text
    .globl gort_async_preempt_entry
    .type gort_async_preempt_entry, @function
gort_async_preempt_entry:
    .cfi_startproc
    pushfq
    .cfi_adjust_cfa_offset 8
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    .cfi_adjust_cfa_offset 120
    mov %rsp, %rbp                       // rbp: base of the saved GPRs (callee-saved)
    mov gort_xsave_area_bytes(%rip), %rax
    sub %rax, %rsp
    and $-64, %rsp                       // xsave needs 64-byte alignment
    // Zero the 64-byte XSAVE header (bytes 512..575): xrstor faults on garbage.
    xor %eax, %eax
    mov %rax, 512(%rsp)
    mov %rax, 520(%rsp)
    mov %rax, 528(%rsp)
    mov %rax, 536(%rsp)
    mov %rax, 544(%rsp)
    mov %rax, 552(%rsp)
    mov %rax, 560(%rsp)
    mov %rax, 568(%rsp)
    mov $-1, %eax                        // save every enabled state component
    mov $-1, %edx
    xsave64 (%rsp)
    call gort_async_preempt_yield        // rsp is 64-byte aligned here
.Lyield_return:                          // frame-pointer walks step through the save area here
    mov $-1, %eax
    mov $-1, %edx
    xrstor64 (%rsp)
    mov %rbp, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    popfq
    ret $128
.Lentry_end:
    .cfi_endproc
    .size gort_async_preempt_entry, .-gort_async_preempt_entry

// The return address of the call above, for frame_walk.cpp: a walk that meets it
// reads the interrupted rip at [rbp+128] and the interrupted rbp at [rbp+64]
// instead of a frame record.  Data, not a symbol inside the function, so the
// symbolizer still names the frame gort_async_preempt_entry.
    .section .data.rel.ro,"aw"
    .balign 8
    .globl gort_async_preempt_return_pc
    .type gort_async_preempt_return_pc, @object
    .size gort_async_preempt_return_pc, 8
gort_async_preempt_return_pc:
    .quad .Lyield_return
// One past the function's last instruction, for preempt.cpp: a preemption
// signal that lands inside the function is not injected again.
    .globl gort_async_preempt_end_pc
    .type gort_async_preempt_end_pc, @object
    .size gort_async_preempt_end_pc, 8
gort_async_preempt_end_pc:
    .quad .Lentry_end
    .section .note.GNU-stack,"",@progbits
