;; Binary distance kernels of binary-kernels.ts (hamming, jaccard and their list forms hamming_many,
;; jaccard_many), in text form: the bytes that binary-kernels.ts assembles by hand
;; (binaryModuleBytes) are exactly what this assembles to (checked by test/binary-kernels.test.ts
;; with wabt). Change both together.
;;
;; Vectors are bit-packed, n bytes (a positive multiple of 16, zero-padded) at byte offsets a and b
;; of the imported memory. Each 16-byte step counts the set bits of a XOR b (hamming) or of a AND b
;; and a OR b (jaccard) with i8x16.popcnt into 16 byte counters; after at most 31 steps (before a
;; counter can overflow) they are widened pairwise to 32-bit lanes and added to a 4-lane
;; accumulator; the lanes are summed at the end. Counts are exact integers (below
;; 2^32), so the pure-TS fallback gets the same ones. Results are f32:
;;   hamming = popcount(a XOR b)                       (exact: at most 2^24 bits per vector)
;;   jaccard = (|a OR b| − |a AND b|) / |a OR b|, 0 when both vectors are all zeros
;; The f32 division of two exact integers is correctly rounded, as the fallback's
;; Math.fround(x / y) is (a double division rounded once more to f32 gives the same f32).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func $hamming (export "hamming") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $stop i32) (local $acc v128) (local $bytes v128)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $chunk
      ;; Up to 31 steps count into the 16 byte lanes (at most 8 per step: 31 · 8 = 248 < 256), then
      ;; the lanes are widened once into acc: the widening costs more than the count itself.
      (local.set $stop
        (select (local.get $end) (i32.add (local.get $a) (i32.const 496))
          (i32.lt_u (i32.sub (local.get $end) (local.get $a)) (i32.const 496))))
      (local.set $bytes (v128.const i32x4 0 0 0 0))
      (loop $step
        (local.set $bytes
          (i8x16.add
            (i8x16.popcnt (v128.xor (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b))))
            (local.get $bytes)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $step (i32.lt_u (local.get $a) (local.get $stop))))
      (local.set $acc
        (i32x4.add
          (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $bytes)))
          (local.get $acc)))
      (br_if $chunk (i32.lt_u (local.get $a) (local.get $end))))
    (f32.convert_i32_u
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
  (func $jaccard (export "jaccard") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $stop i32) (local $inter v128) (local $union v128) (local $x v128) (local $y v128)
    (local $interBytes v128) (local $unionBytes v128) (local $i i32) (local $u i32)
    (local.set $end (i32.add (local.get $a) (local.get $n)))
    (loop $chunk
      (local.set $stop
        (select (local.get $end) (i32.add (local.get $a) (i32.const 496))
          (i32.lt_u (i32.sub (local.get $end) (local.get $a)) (i32.const 496))))
      (local.set $interBytes (v128.const i32x4 0 0 0 0))
      (local.set $unionBytes (v128.const i32x4 0 0 0 0))
      (loop $step
        (local.set $x (v128.load align=4 (local.get $a)))
        (local.set $y (v128.load align=4 (local.get $b)))
        (local.set $interBytes (i8x16.add (i8x16.popcnt (v128.and (local.get $x) (local.get $y))) (local.get $interBytes)))
        (local.set $unionBytes (i8x16.add (i8x16.popcnt (v128.or (local.get $x) (local.get $y))) (local.get $unionBytes)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $step (i32.lt_u (local.get $a) (local.get $stop))))
      (local.set $inter
        (i32x4.add (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $interBytes))) (local.get $inter)))
      (local.set $union
        (i32x4.add (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $unionBytes))) (local.get $union)))
      (br_if $chunk (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $i
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $inter)) (i32x4.extract_lane 1 (local.get $inter)))
        (i32.add (i32x4.extract_lane 2 (local.get $inter)) (i32x4.extract_lane 3 (local.get $inter)))))
    (local.set $u
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $union)) (i32x4.extract_lane 1 (local.get $union)))
        (i32.add (i32x4.extract_lane 2 (local.get $union)) (i32x4.extract_lane 3 (local.get $union)))))
    (if (result f32) (i32.eqz (local.get $u))
      (then (f32.const 0))
      (else (f32.div (f32.convert_i32_u (i32.sub (local.get $u) (local.get $i))) (f32.convert_i32_u (local.get $u))))))
  ;; many(q, list, count, n, out): for each of the count i32 byte offsets at list, the f32 at
  ;; out + 4i gets the kernel from q to list[i] (as l2_many / dot_many in kernels.wat).
  (func $hamming_many (export "hamming_many") (param $q i32) (param $list i32) (param $count i32) (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $list) (local.get $end)))
      (loop $next
        (f32.store align=4 (local.get $out) (call $hamming (local.get $q) (i32.load align=4 (local.get $list)) (local.get $n)))
        (local.set $list (i32.add (local.get $list) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $list) (local.get $end))))))
  (func $jaccard_many (export "jaccard_many") (param $q i32) (param $list i32) (param $count i32) (param $n i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $list) (local.get $end)))
      (loop $next
        (f32.store align=4 (local.get $out) (call $jaccard (local.get $q) (i32.load align=4 (local.get $list)) (local.get $n)))
        (local.set $list (i32.add (local.get $list) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $list) (local.get $end)))))))
