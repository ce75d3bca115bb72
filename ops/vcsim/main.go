// vcsim: govmomi's vCenter simulator (VPX model: DC0, cluster DC0_C0, datastore LocalDS_0, networks
// "VM Network" and DC0_DVPG<n>) for the tests and the bench, built by scripts/vcsim.sh from Debian's
// golang-github-vmware-govmomi-dev. Prints one JSON line {"url", "datastores": {name: folder}} once it
// listens; removes its datastore folders on SIGTERM, unless -datastores names where they live.
//
// vcsim keeps its inventory in memory: a restarted vcsim is a vCenter that forgot every VM it had.
// A datastore outlives vCenter, though (its files are on the storage): with -datastores DIR, each
// datastore is the folder DIR/<name>, kept across restarts, as an NFS export is.
//
// vcsim runs no guest, so no guest tools report a DHCP lease: with -dhcp, this process plays the
// DHCP server and the tools of every powered-on VM with a NIC on those port groups, reporting a
// fresh address in guest.net and guest.ipAddress, as a real guest does shortly after power-on.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	user := flag.String("user", "user", "the only user name Login accepts")
	password := flag.String("password", "pass", "its password")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate")
	portgroups := flag.Int("portgroups", 1, "distributed port groups DC0_DVPG0..N-1")
	dhcp := flag.String("dhcp", "", "comma-separated networks whose powered-on VMs get an address")
	datastores := flag.String("datastores", "", "folder holding each datastore's files (DIR/<name>), kept across restarts")
	flag.Parse()

	m := simulator.VPX()
	m.Portgroup = *portgroups
	if err := m.Create(); err != nil {
		panic(err)
	}
	defer m.Remove()
	if *datastores != "" {
		if err := keepDatastores(*datastores); err != nil {
			panic(err)
		}
	}
	m.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *password)}
	if *useTLS {
		m.Service.TLS = new(tls.Config)
	}
	s := m.Service.NewServer()
	defer s.Close()

	folders := map[string]string{}
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		folders[ds.Name] = ds.Info.GetDatastoreInfo().Url
	}
	u := *s.URL
	u.User = nil
	_ = json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"url": u.String(), "datastores": folders})

	if *dhcp != "" {
		go leases(strings.Split(*dhcp, ","))
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}

// keepDatastores moves each datastore to dir/<name>: on the first start, with what the model wrote
// there (its own VMs' files); on a restart, the folder as it was, the model's fresh copy dropped. The
// model's folder becomes a link to it, for the paths vcsim keeps (its VMs' log files).
func keepDatastores(dir string) error {
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		info := ds.Info.GetDatastoreInfo()
		kept := filepath.Join(dir, ds.Name)
		if _, err := os.Stat(kept); err == nil {
			if err := os.RemoveAll(info.Url); err != nil {
				return err
			}
		} else if err := os.Rename(info.Url, kept); err != nil {
			return err
		}
		if err := os.Symlink(kept, info.Url); err != nil {
			return err
		}
		info.Url = kept
		ds.Summary.Url = kept
	}
	return nil
}

// portgroupName is the distributed port group of a NIC (vcsim leaves guest.net's network empty for them).
func portgroupName(vm *simulator.VirtualMachine, key int32) string {
	for _, d := range vm.Config.Hardware.Device {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok || d.GetVirtualDevice().Key != key {
			continue
		}
		if b, ok := card.GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo); ok {
			ref := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: b.Port.PortgroupKey}
			if pg, ok := simulator.Map.Get(ref).(mo.Entity); ok {
				return pg.Entity().Name
			}
		}
	}
	return ""
}

// leases gives each NIC on a DHCP network of a powered-on VM the next address of 10.<network>.0.0/16.
func leases(networks []string) {
	subnet := map[string]int{}
	for i, n := range networks {
		subnet[n] = i + 1
	}
	next := map[string]int{}
	for range time.Tick(50 * time.Millisecond) {
		for _, e := range simulator.Map.All("VirtualMachine") {
			vm := e.(*simulator.VirtualMachine)
			simulator.Map.WithLock(vm, func() {
				if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
					return
				}
				first := ""
				for i := range vm.Guest.Net {
					nic := &vm.Guest.Net[i]
					if nic.Network == "" {
						nic.Network = portgroupName(vm, nic.DeviceConfigId)
					}
					sub, ok := subnet[nic.Network]
					if !ok || len(nic.IpAddress) > 0 {
						continue
					}
					n := next[nic.Network] + 10
					next[nic.Network]++
					nic.IpAddress = []string{fmt.Sprintf("10.%d.%d.%d", sub, n/250, n%250)}
					if first == "" {
						first = nic.IpAddress[0]
					}
				}
				if first != "" {
					simulator.Map.Update(vm, []types.PropertyChange{{Name: "guest.net", Val: vm.Guest.Net}, {Name: "guest.ipAddress", Val: first}})
				}
			})
		}
	}
}
