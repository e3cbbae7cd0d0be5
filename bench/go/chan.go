// Channel and select workloads: unbuffered round trips, single-producer
// streams through small and large buffers, many producers and consumers on one
// channel, and a consumer selecting over N channels. Keys and units must match
// bench/compare.py and the C++ suites (gort_bench, peer_boost_fiber) exactly.
package main

import (
	"fmt"
	"sync"
)

func chanWorkloads(procs []int) []workload {
	ws := perProcs("chan_unbuffered_pingpong", procs, uncheckedAt(chanUnbufferedPingpong))
	for _, capacity := range []int{1, 1024} {
		capacity := capacity
		ws = append(ws, perProcs(fmt.Sprintf("chan_buffered_%d", capacity), procs, func(p int) (float64, error) {
			return chanBuffered(p, capacity)
		})...)
	}
	ws = append(ws, perProcs("chan_buffered_1024_ptr", procs, chanBufferedPtr)...)
	ws = append(ws, perProcs("chan_buffered_1024_string", procs, chanBufferedString)...)
	ws = append(ws, perProcs("chan_mpmc_4x4", procs, chanMPMC)...)
	for _, s := range selectShapes {
		s := s
		ws = append(ws, perProcs(fmt.Sprintf("select_%d", s.channels), procs, func(p int) (float64, error) {
			return selectFanIn(p, s)
		})...)
	}
	return ws
}

// sumBelow returns 0 + 1 + ... + (n-1), the total of the values one producer
// sends in the checked workloads below (each sends 0, 1, ..., n-1).
func sumBelow(n int) int { return n * (n - 1) / 2 }

// checkTotal returns an error naming what when got != want.
func checkTotal(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: received values sum to %d, want %d", what, got, want)
	}
	return nil
}

// chan_unbuffered_pingpong/procs:P — cost of one round trip over unbuffered
// channels (a rendezvous each way). Two goroutines, two unbuffered chan int
// ping and pong: A sends on ping and receives on pong, B receives on ping and
// sends on pong; 200,000 round trips, joined with a WaitGroup, under
// GOMAXPROCS=P.
// ns_per_op = wall time / 200,000 (per round trip).
// Key and unit must match bench/compare.py and the C++ suites.
const pingpongRoundTrips = 200_000

func chanUnbufferedPingpong(procs int) float64 {
	return timeOps(procs, pingpongRoundTrips, func() { pingPong(pingpongRoundTrips, 1) })
}

// pingPong runs roundTrips round trips of token between two goroutines over
// two unbuffered channels (A: send on ping, receive on pong; B: the reverse)
// and returns when both have finished (park_ready and
// chan_unbuffered_pingpong); roundTrips >= 0.
func pingPong[T any](roundTrips int, token T) {
	ping := make(chan T)
	pong := make(chan T)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // A
		defer wg.Done()
		for i := 0; i < roundTrips; i++ {
			ping <- token
			<-pong
		}
	}()
	go func() { // B
		defer wg.Done()
		for i := 0; i < roundTrips; i++ {
			pong <- <-ping
		}
	}()
	wg.Wait()
}

// chan_buffered_1/procs:P, chan_buffered_1024/procs:P — cost of one message
// through a buffered channel. One producer goroutine sends 0, 1, ...,
// 999,999 into a chan int of capacity 1 (resp. 1024); one consumer goroutine
// receives all 1,000,000 and sums them; joined with a WaitGroup, under
// GOMAXPROCS=P. A wrong sum is reported as an error. With capacity 1 nearly
// every message parks one side; with 1024 most go through the buffer.
// (Boost.Fiber's buffered_channel holds capacity-1 elements and needs a power
// of two >= 2: its twins use 2 and 1024, i.e. 1 and 1023 slots.)
// ns_per_op = wall time / 1,000,000 (per message).
// Key and unit must match bench/compare.py and the C++ suites.
const streamMessages = 1_000_000

func chanBuffered(procs, capacity int) (float64, error) {
	return timeCheckedOps(procs, streamMessages, func() error {
		c := make(chan int, capacity)
		var wg sync.WaitGroup
		var total int
		wg.Add(2)
		go func() { // producer
			defer wg.Done()
			for i := 0; i < streamMessages; i++ {
				c <- i
			}
		}()
		go func() { // consumer
			defer wg.Done()
			sum := 0
			for i := 0; i < streamMessages; i++ {
				sum += <-c
			}
			total = sum
		}()
		wg.Wait()
		return checkTotal(fmt.Sprintf("chan_buffered_%d", capacity), total, sumBelow(streamMessages))
	})
}

// chan_buffered_1024_ptr/procs:P — chan_buffered_1024 with pointers: 1,024
// cells holding 0..1023 and a chan *cell of capacity 1024; the producer sends
// a pointer to cell i % 1024 for i in 0..999,999, the consumer sums the cells'
// values. A wrong sum is reported as an error. Under GOMAXPROCS=P.
// ns_per_op = wall time / 1,000,000 (per message).
// Key and unit must match bench/compare.py and the C++ suites.
type cell struct{ value int }

func chanBufferedPtr(procs int) (float64, error) {
	const cells = 1024
	cs := make([]*cell, cells)
	for k := range cs {
		cs[k] = &cell{value: k}
	}
	return timeCheckedOps(procs, streamMessages, func() error {
		c := make(chan *cell, 1024)
		var wg sync.WaitGroup
		var total int
		wg.Add(2)
		go func() { // producer
			defer wg.Done()
			for i := 0; i < streamMessages; i++ {
				c <- cs[i%cells]
			}
		}()
		go func() { // consumer
			defer wg.Done()
			sum := 0
			for i := 0; i < streamMessages; i++ {
				sum += (<-c).value
			}
			total = sum
		}()
		wg.Wait()
		want := streamMessages/cells*sumBelow(cells) + sumBelow(streamMessages%cells)
		return checkTotal("chan_buffered_1024_ptr", total, want)
	})
}

// chan_buffered_1024_string/procs:P — chan_buffered_1024 with a 64-byte
// string per message: the producer converts a 64-byte []byte of 'a' + i % 26
// into a string (one allocation) and sends it on a chan string of capacity
// 1024; the consumer sums len + first byte; the sum is checked. Under
// GOMAXPROCS=P. The C++ side sends a std::string (a malloc and a free).
// ns_per_op = wall time / 1,000,000 (per message).
// Key and unit must match bench/compare.py and the C++ suites.
const stringMessageBytes = 64

func chanBufferedString(procs int) (float64, error) {
	return timeCheckedOps(procs, streamMessages, func() error {
		c := make(chan string, 1024)
		var wg sync.WaitGroup
		var total int
		wg.Add(2)
		go func() { // producer
			defer wg.Done()
			buf := make([]byte, stringMessageBytes)
			for i := 0; i < streamMessages; i++ {
				b := byte('a' + i%26)
				for k := range buf {
					buf[k] = b
				}
				c <- string(buf)
			}
		}()
		go func() { // consumer
			defer wg.Done()
			sum := 0
			for i := 0; i < streamMessages; i++ {
				s := <-c
				sum += len(s) + int(s[0])
			}
			total = sum
		}()
		wg.Wait()
		want := streamMessages * stringMessageBytes
		for i := 0; i < streamMessages; i++ {
			want += 'a' + i%26
		}
		return checkTotal("chan_buffered_1024_string", total, want)
	})
}

// chan_mpmc_4x4/procs:P — cost of one message on a channel shared by several
// senders and receivers. One chan int of capacity 1024; 4 producer goroutines
// each send 0, 1, ..., 249,999; 4 consumer goroutines each receive (for range)
// until the channel is closed and sum what they got. The main goroutine waits
// for the producers on a WaitGroup, closes the channel, waits for the
// consumers, and checks that the four sums add up to 4 * (0 + ... + 249,999);
// a wrong total is reported as an error. Under GOMAXPROCS=P.
// ns_per_op = wall time / 1,000,000 (per message).
// Key and unit must match bench/compare.py and the C++ suites.
const (
	mpmcProducers   = 4
	mpmcConsumers   = 4
	mpmcPerProducer = 250_000
	mpmcCapacity    = 1024
)

func chanMPMC(procs int) (float64, error) {
	return timeCheckedOps(procs, mpmcProducers*mpmcPerProducer, func() error {
		c := make(chan int, mpmcCapacity)
		var producers, consumers sync.WaitGroup
		sums := make([]int, mpmcConsumers) // each written once, by its consumer, at its end
		producers.Add(mpmcProducers)
		for p := 0; p < mpmcProducers; p++ {
			go func() {
				defer producers.Done()
				for i := 0; i < mpmcPerProducer; i++ {
					c <- i
				}
			}()
		}
		consumers.Add(mpmcConsumers)
		for k := 0; k < mpmcConsumers; k++ {
			go func(k int) {
				defer consumers.Done()
				sum := 0
				for v := range c {
					sum += v
				}
				sums[k] = sum
			}(k)
		}
		producers.Wait()
		close(c)
		consumers.Wait()
		total := 0
		for _, s := range sums {
			total += s
		}
		return checkTotal("chan_mpmc_4x4", total, mpmcProducers*sumBelow(mpmcPerProducer))
	})
}

// select_2/procs:P, select_4/procs:P, select_8/procs:P — cost of receiving
// through a select over N channels. N chan int of capacity 128; producer
// goroutine i sends 0, 1, ..., 1,000,000/N - 1 on channel i, then closes it.
// One consumer goroutine loops on a select statement with exactly N receive
// cases (one per channel) until it has received 1,000,000 values, summing
// them; a case that reports its channel closed sets that channel to nil, so it
// drops out of later selects. The producers are joined with a WaitGroup, then
// the sum is checked (a wrong one is reported as an error). Under
// GOMAXPROCS=P. Boost.Fiber has no select: no twin there.
// ns_per_op = wall time / 1,000,000 (per value received).
// Key and unit must match bench/compare.py and the C++ suites.
const (
	selectMessages = 1_000_000
	selectCapacity = 128
)

// selectShape is one select_N workload: N and the function holding its
// N-case select statement (Go's select has a fixed number of cases).
type selectShape struct {
	channels int
	recv     func(cs []chan int) (index, value int, ok bool)
}

var selectShapes = []selectShape{{2, selectRecv2}, {4, selectRecv4}, {8, selectRecv8}}

func selectFanIn(procs int, shape selectShape) (float64, error) {
	n := shape.channels
	perProducer := selectMessages / n
	return timeCheckedOps(procs, selectMessages, func() error {
		cs := make([]chan int, n)
		for i := range cs {
			cs[i] = make(chan int, selectCapacity)
		}
		var producers, consumer sync.WaitGroup
		producers.Add(n)
		for i := range cs {
			go func(c chan int) {
				defer producers.Done()
				for v := 0; v < perProducer; v++ {
					c <- v
				}
				close(c)
			}(cs[i])
		}
		total := 0
		consumer.Add(1)
		go func() {
			defer consumer.Done()
			open := append([]chan int(nil), cs...) // the consumer's view: nil once closed
			for received := 0; received < selectMessages; {
				i, v, ok := shape.recv(open)
				if !ok {
					open[i] = nil
					continue
				}
				total += v
				received++
			}
		}()
		consumer.Wait()
		producers.Wait()
		return checkTotal(fmt.Sprintf("select_%d", n), total, n*sumBelow(perProducer))
	})
}

// selectRecv2 blocks in one select over receives from cs[0..1] (a nil entry
// never fires) and returns the index of the case that ran and what it got;
// len(cs) must be 2 and at least one entry non-nil.
func selectRecv2(cs []chan int) (int, int, bool) {
	select {
	case v, ok := <-cs[0]:
		return 0, v, ok
	case v, ok := <-cs[1]:
		return 1, v, ok
	}
}

// selectRecv4 is selectRecv2 for four channels; len(cs) must be 4.
func selectRecv4(cs []chan int) (int, int, bool) {
	select {
	case v, ok := <-cs[0]:
		return 0, v, ok
	case v, ok := <-cs[1]:
		return 1, v, ok
	case v, ok := <-cs[2]:
		return 2, v, ok
	case v, ok := <-cs[3]:
		return 3, v, ok
	}
}

// selectRecv8 is selectRecv2 for eight channels; len(cs) must be 8.
func selectRecv8(cs []chan int) (int, int, bool) {
	select {
	case v, ok := <-cs[0]:
		return 0, v, ok
	case v, ok := <-cs[1]:
		return 1, v, ok
	case v, ok := <-cs[2]:
		return 2, v, ok
	case v, ok := <-cs[3]:
		return 3, v, ok
	case v, ok := <-cs[4]:
		return 4, v, ok
	case v, ok := <-cs[5]:
		return 5, v, ok
	case v, ok := <-cs[6]:
		return 6, v, ok
	case v, ok := <-cs[7]:
		return 7, v, ok
	}
}
