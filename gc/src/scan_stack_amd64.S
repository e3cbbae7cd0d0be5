// scan_stack_amd64.S — gort_gc_call_with_spilled_registers(fn, arg): calls
// fn(sp, arg) with every callee-saved register (rbx, rbp, r12-r15) pushed on
// the stack at or above sp, so a conservative scan of [sp, stack top) sees the
// pointers the running goroutine keeps in registers (the role of Go's
// systemstack switch saving g.sched; Boehm's GC_with_callee_saves_pushed).
// Caller-saved registers need no spilling: the C++ caller already saved any
// it needs across this call.
    .text
    .globl gort_gc_call_with_spilled_registers
    .type gort_gc_call_with_spilled_registers, @function
gort_gc_call_with_spilled_registers:
    .cfi_startproc
    push %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    mov %rsp, %rbp
    .cfi_def_cfa_register %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp            // 16-byte alignment at the call below
    mov %rdi, %rax          // fn
    mov %rsp, %rdi          // sp: the lowest spilled word is at sp + 8
    call *%rax              // fn(sp, arg): arg is still in rsi
    add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size gort_gc_call_with_spilled_registers, .-gort_gc_call_with_spilled_registers
    .section .note.GNU-stack,"",@progbits
