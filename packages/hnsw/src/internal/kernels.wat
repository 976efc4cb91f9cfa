;; Distance kernels of kernels.ts, in text form: the bytes that kernels.ts assembles by hand
;; (distanceModuleBytes) are exactly what this assembles to (checked by test/wat-sources.test.ts with
;; wabt). Change both together.
;;
;; l2(a, b, n) = Σ (a_i − b_i)² and dot(a, b, n) = Σ a_i · b_i over n bytes (a positive multiple of 32:
;; 8 floats) of float32 vectors at byte offsets a and b of the imported memory: two 4-lane
;; accumulators, 8 floats per step, then (l0 + l1) + (l2 + l3), the order the pure-TS fallback copies.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "l2") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $d v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $next
      (local.set $acc0
        (f32x4.add
          (f32x4.mul
            (local.tee $d (f32x4.sub (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b))))
            (local.get $d))
          (local.get $acc0)))
      (local.set $acc1
        (f32x4.add
          (f32x4.mul
            (local.tee $d (f32x4.sub (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b))))
            (local.get $d))
          (local.get $acc1)))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
  (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $acc0 v128) (local $acc1 v128) (local $d v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $next
      (local.set $acc0
        (f32x4.add
          (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b)))
          (local.get $acc0)))
      (local.set $acc1
        (f32x4.add
          (f32x4.mul (v128.load offset=16 align=4 (local.get $a)) (v128.load offset=16 align=4 (local.get $b)))
          (local.get $acc1)))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0))))))
