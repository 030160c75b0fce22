package data

import (
	"context"
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// roleFixture is a small demo shop with a few things the demo has none of (a mail account, an open
// stock count), and the ids the calls below need.
type roleFixture struct {
	owner, packer, accountant *Store

	sku, supplierID, location string
	order                     Order // an open order with one line, for packing
	handPacked                int64 // an open order of 4 of a SKU with no barcode, packed by hand
	shipped                   int64 // a shipped order
	poDraft, poSent           int64
	mailAccount               int64
	count                     int64
	period                    AccountsPeriod
	backups                   string // a folder for backups
}

func newRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Seed: 3, Products: 12, Orders: 40})
	f := &roleFixture{owner: s, backups: t.TempDir()}
	var err error
	if f.packer, err = s.Login(ctx, "Jamie Lee", "1234"); err != nil {
		t.Fatalf("Login(packer): %v", err)
	}
	if f.accountant, err = s.Login(ctx, "Priya Shah", "2468"); err != nil {
		t.Fatalf("Login(accountant): %v", err)
	}
	sps, err := s.Suppliers(ctx)
	if err != nil {
		t.Fatalf("Suppliers: %v", err)
	}
	for _, sp := range sps {
		items, err := s.SupplierItems(ctx, sp.ID)
		if err != nil {
			t.Fatalf("SupplierItems: %v", err)
		}
		if len(items) > 0 {
			f.supplierID, f.sku = sp.ID, items[0].SKU
			break
		}
	}
	if f.sku == "" {
		t.Fatal("no supplier in the demo sells anything")
	}
	mustAdjust(t, s, f.sku, 50)
	locs, err := s.Locations(ctx)
	if err != nil || len(locs) == 0 {
		t.Fatalf("Locations: %v", err)
	}
	f.location = locs[0].ID
	if _, err := s.ApplyOrders(ctx, []Order{shopOrder("ROLE-1", StatusPaid, f.sku, 1), shopOrder("ROLE-2", StatusPaid, f.sku, 1)}); err != nil {
		t.Fatalf("ApplyOrders: %v", err)
	}
	mustVariant(t, s, "ROLE-PLAIN", "Plain card", 300, 100)
	mustAdjust(t, s, "ROLE-PLAIN", 10)
	if _, err := s.ApplyOrders(ctx, []Order{shopOrder("ROLE-3", StatusPaid, "ROLE-PLAIN", 4)}); err != nil {
		t.Fatalf("ApplyOrders: %v", err)
	}
	hand, err := s.OrderByKey(ctx, "shopify", "ROLE-3")
	if err != nil {
		t.Fatalf("OrderByKey: %v", err)
	}
	f.handPacked = hand.ID
	if f.order, err = s.OrderByKey(ctx, "shopify", "ROLE-1"); err != nil {
		t.Fatalf("OrderByKey: %v", err)
	}
	two, err := s.OrderByKey(ctx, "shopify", "ROLE-2")
	if err != nil {
		t.Fatalf("OrderByKey: %v", err)
	}
	if _, err := s.ShipOrder(ctx, two.ID, Shipment{Carrier: "Royal Mail", Tracking: "RM1"}); err != nil {
		t.Fatalf("ShipOrder: %v", err)
	}
	f.shipped = two.ID
	line := []NewPOLine{{SKU: f.sku, Quantity: 10, UnitCost: ptr(int64(300))}}
	draft, err := s.CreatePO(ctx, NewPO{SupplierID: f.supplierID, Lines: line})
	if err != nil {
		t.Fatalf("CreatePO: %v", err)
	}
	f.poDraft = draft.ID
	sent, err := s.CreatePO(ctx, NewPO{SupplierID: f.supplierID, Lines: line})
	if err != nil {
		t.Fatalf("CreatePO: %v", err)
	}
	if _, err := s.SendPO(ctx, sent.ID, nil); err != nil {
		t.Fatalf("SendPO: %v", err)
	}
	f.poSent = sent.ID
	acct, err := s.SaveMailAccount(ctx, MailAccount{Host: "imap.example.com", Security: MailTLS, User: "orders@example.com"})
	if err != nil {
		t.Fatalf("SaveMailAccount: %v", err)
	}
	f.mailAccount = acct.ID
	c, err := s.StartCount(ctx, "", "")
	if err != nil {
		t.Fatalf("StartCount: %v", err)
	}
	f.count = c.ID
	if f.period, err = NewAccountsPeriod(testNow.AddDate(0, -1, 0), testNow, time.UTC); err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// roleCase is one guarded Store method. packer and accountant say whether the role may call it; the
// owner always may. ownerGate marks calls whose arguments name nothing that exists (an id of nothing):
// for the owner they prove only that the permission check lets them through, so any error but
// ErrPermission passes.
type roleCase struct {
	method             string
	packer, accountant bool
	ownerGate          bool
	call               func(ctx context.Context, f *roleFixture, s *Store) error
	skipOwner          string // why the owner's call is not made
}

// both/acct/pack/none give the roles that may call, beside the owner.
const (
	none = iota
	pack
	acct
	both
)

func rc(method string, who int, call func(ctx context.Context, f *roleFixture, s *Store) error) roleCase {
	return roleCase{method: method, packer: who == pack || who == both, accountant: who == acct || who == both, call: call}
}

func gate(c roleCase) roleCase { c.ownerGate = true; return c }

func e1[T any](_ T, err error) error         { return err }
func e2[T, U any](_ T, _ U, err error) error { return err }

// roleCases lists every exported Store method that reads or writes shop data, with who may call it.
// Methods open to every role are listed too, so that a new method shows up in TestRoles_EveryMethod
// until someone decides who may call it.
func roleCases() []roleCase {
	type F = roleFixture
	type C = context.Context
	return []roleCase{
		// Accounts: money, for the owner and the accountant's exports.
		rc("AccountsSales", acct, func(ctx C, f *F, s *Store) error {
			return s.AccountsSales(ctx, f.period, func(SaleLine) error { return nil })
		}),
		rc("AccountsRefunds", acct, func(ctx C, f *F, s *Store) error {
			return s.AccountsRefunds(ctx, f.period, func(RefundLine) error { return nil })
		}),
		rc("AccountsCosts", acct, func(ctx C, f *F, s *Store) error {
			return s.AccountsCosts(ctx, f.period, func(CostLine) error { return nil })
		}),
		rc("AccountsStock", acct, func(ctx C, f *F, s *Store) error {
			return s.AccountsStock(ctx, f.period, func(StockValue) error { return nil })
		}),
		rc("AccountsPurchases", acct, func(ctx C, f *F, s *Store) error {
			return s.AccountsPurchases(ctx, f.period, func(PurchaseLine) error { return nil })
		}),
		rc("AccountsPreview", acct, func(ctx C, f *F, s *Store) error { return e1(s.AccountsPreview(ctx, f.period)) }),
		rc("LockPeriod", none, func(ctx C, f *F, s *Store) error { return e1(s.LockPeriod(ctx, f.period)) }),
		gate(rc("UnlockPeriod", none, func(ctx C, f *F, s *Store) error { return s.UnlockPeriod(ctx, 999999) })),
		rc("PeriodLocks", acct, func(ctx C, f *F, s *Store) error { return e1(s.PeriodLocks(ctx)) }),
		rc("HeldChanges", acct, func(ctx C, f *F, s *Store) error { return e1(s.HeldChanges(ctx)) }),
		gate(rc("ApplyHeldChange", none, func(ctx C, f *F, s *Store) error { return s.ApplyHeldChange(ctx, 999999) })),
		gate(rc("DiscardHeldChange", none, func(ctx C, f *F, s *Store) error { return s.DiscardHeldChange(ctx, 999999) })),
		rc("LogAccountsExport", acct, func(ctx C, f *F, s *Store) error {
			return e1(s.LogAccountsExport(ctx, f.period, AccountsExport{Format: "xlsx", File: "accounts.xlsx", SHA256: strings.Repeat("ab", 32)}, false))
		}),
		{method: "LogAccountsExport(lock)", call: func(ctx C, f *F, s *Store) error {
			p, _ := NewAccountsPeriod(testNow.AddDate(0, -3, 0), testNow.AddDate(0, -2, 0), time.UTC)
			return e1(s.LogAccountsExport(ctx, p, AccountsExport{Format: "xlsx", File: "accounts.xlsx", SHA256: strings.Repeat("cd", 32)}, true))
		}},
		rc("AccountsExports", acct, func(ctx C, f *F, s *Store) error { return e1(s.AccountsExports(ctx, 10)) }),
		rc("AccountsChanges", acct, func(ctx C, f *F, s *Store) error { return e1(s.AccountsChanges(ctx, f.period)) }),
		// Backups: the whole file, costs and all, so making them and choosing where they go is the owner's.
		rc("BackupFolder", both, func(ctx C, f *F, s *Store) error { return e1(s.BackupFolder(ctx)) }),
		rc("SetBackupFolder", none, func(ctx C, f *F, s *Store) error { return s.SetBackupFolder(ctx, f.backups) }),
		rc("Backup", none, func(ctx C, f *F, s *Store) error { return e1(s.Backup(ctx, nil)) }),
		rc("LastBackup", both, func(ctx C, f *F, s *Store) error { return e1(s.LastBackup(ctx)) }),
		rc("MayRestore", none, func(ctx C, f *F, s *Store) error { return s.MayRestore() }),
		rc("Backups", both, func(ctx C, f *F, s *Store) error { return e2(s.Backups(ctx)) }),

		rc("AuditLog", acct, func(ctx C, f *F, s *Store) error { return e1(s.AuditLog(ctx, "", "", 10)) }),

		// Channel stock: the listing rules are the owner's; what is listed is no secret.
		rc("ListingRules", both, func(ctx C, f *F, s *Store) error { return e1(s.ListingRules(ctx)) }),
		rc("SetListingRule", none, func(ctx C, f *F, s *Store) error {
			return s.SetListingRule(ctx, ListingRule{Channel: "etsy", Buffer: 1})
		}),
		rc("ChannelListings", both, func(ctx C, f *F, s *Store) error { return e1(s.ChannelListings(ctx, "etsy", false)) }),
		rc("LogStockExport", none, func(ctx C, f *F, s *Store) error { return e1(s.LogStockExport(ctx, "etsy", "etsy.csv", nil)) }),
		rc("StockExports", both, func(ctx C, f *F, s *Store) error { return e1(s.StockExports(ctx, "")) }),
		rc("AtRisk", both, func(ctx C, f *F, s *Store) error { return e1(s.AtRisk(ctx)) }),

		// Contingency plans: set by the owner; kept up to date by whoever changes the shop.
		rc("AddContingencyRule", none, func(ctx C, f *F, s *Store) error {
			return e1(s.AddContingencyRule(ctx, ContingencyRule{SupplierID: f.supplierID, Trigger: TriggerSupplierUnavailable, Action: ActionAlert, Active: true}))
		}),
		gate(rc("UpdateContingencyRule", none, func(ctx C, f *F, s *Store) error {
			return e1(s.UpdateContingencyRule(ctx, ContingencyRule{ID: "nothing", Trigger: TriggerSupplierUnavailable, Action: ActionAlert}))
		})),
		gate(rc("RemoveContingencyRule", none, func(ctx C, f *F, s *Store) error { return s.RemoveContingencyRule(ctx, "nothing") })),
		rc("ContingencyRules", both, func(ctx C, f *F, s *Store) error { return e1(s.ContingencyRules(ctx)) }),
		rc("ContingencyAlerts", both, func(ctx C, f *F, s *Store) error { return e1(s.ContingencyAlerts(ctx, true)) }),
		gate(rc("DismissAlert", none, func(ctx C, f *F, s *Store) error { return s.DismissAlert(ctx, 999999) })),
		rc("EvaluateContingencies", pack, func(ctx C, f *F, s *Store) error { return e1(s.EvaluateContingencies(ctx, testNow)) }),

		// Stock counts: anyone who moves stock counts; the owner approves.
		rc("StartCount", pack, func(ctx C, f *F, s *Store) error { return e1(s.StartCount(ctx, "", "")) }),
		rc("OpenCounts", both, func(ctx C, f *F, s *Store) error { return e1(s.OpenCounts(ctx)) }),
		rc("StockCount", both, func(ctx C, f *F, s *Store) error { return e1(s.StockCount(ctx, f.count)) }),
		rc("CountScan", pack, func(ctx C, f *F, s *Store) error { return e2(s.CountScan(ctx, f.count, f.sku, 1)) }),
		rc("SetCounted", pack, func(ctx C, f *F, s *Store) error { return e1(s.SetCounted(ctx, f.count, f.sku, 3)) }),
		rc("SubmitCount", pack, func(ctx C, f *F, s *Store) error { return e1(s.SubmitCount(ctx, f.count)) }),
		rc("ApproveCount", none, func(ctx C, f *F, s *Store) error { return e1(s.ApproveCount(ctx, f.count, "shelf count")) }),
		gate(rc("DiscardCount", pack, func(ctx C, f *F, s *Store) error { return s.DiscardCount(ctx, 999999) })),

		{method: "GenerateDemo", call: func(ctx C, f *F, s *Store) error { return e1(s.GenerateDemo(ctx, DemoOptions{Products: 5, Orders: 3})) },
			skipOwner: "the fixture is the owner's demo"},

		// Exceptions: packers handle them; the limits are the owner's settings.
		rc("ExceptionLimits", both, func(ctx C, f *F, s *Store) error { return e1(s.ExceptionLimits(ctx)) }),
		rc("SetExceptionLimit", none, func(ctx C, f *F, s *Store) error {
			return s.SetExceptionLimit(ctx, ExceptionKinds()[0], 48*time.Hour)
		}),
		rc("RefreshExceptions", pack, func(ctx C, f *F, s *Store) error { return s.RefreshExceptions(ctx) }),
		rc("Exceptions", both, func(ctx C, f *F, s *Store) error { return e1(s.Exceptions(ctx, true)) }),
		rc("OverdueExceptions", both, func(ctx C, f *F, s *Store) error { return e1(s.OverdueExceptions(ctx, testNow)) }),
		gate(rc("HandleException", pack, func(ctx C, f *F, s *Store) error { return s.HandleException(ctx, 999999, "done") })),
		rc("PendingNotifications", none, func(ctx C, f *F, s *Store) error { return e1(s.PendingNotifications(ctx)) }),
		gate(rc("MarkNotified", none, func(ctx C, f *F, s *Store) error { return s.MarkNotified(ctx, 999999) })),

		rc("PickList", both, func(ctx C, f *F, s *Store) error { return e1(s.PickList(ctx, []int64{f.order.ID})) }),

		// Imports: one file can change the catalogue and add hundreds of orders.
		rc("Import", none, func(ctx C, f *F, s *Store) error {
			return e1(s.Import(ctx, ImportFile{Name: "empty.csv", SHA256: strings.Repeat("0", 64), Format: "shopify-orders"},
				func(func(ImportItem) bool) {}, ImportOptions{DryRun: true}))
		}),
		rc("SetLocationAlias", none, func(ctx C, f *F, s *Store) error { return s.SetLocationAlias(ctx, "Back room", f.location) }),
		rc("LocationAliases", both, func(ctx C, f *F, s *Store) error { return e1(s.LocationAliases(ctx)) }),
		rc("ImportLog", both, func(ctx C, f *F, s *Store) error { return e1(s.ImportLog(ctx, 10)) }),
		gate(rc("ImportedBefore", both, func(ctx C, f *F, s *Store) error { return e1(s.ImportedBefore(ctx, strings.Repeat("1", 64))) })),
		rc("Bins", both, func(ctx C, f *F, s *Store) error { return e1(s.Bins(ctx, "")) }),
		rc("Locations", both, func(ctx C, f *F, s *Store) error { return e1(s.Locations(ctx)) }),
		rc("AddLocation", none, func(ctx C, f *F, s *Store) error { return e1(s.AddLocation(ctx, "Van", "other")) }),

		// The order mailbox: its account details are credentials, what it brings in is an import.
		rc("SaveMailAccount", none, func(ctx C, f *F, s *Store) error {
			return e1(s.SaveMailAccount(ctx, MailAccount{Host: "imap.example.org", Security: MailTLS, User: "shop@example.org"}))
		}),
		rc("MailAccounts", none, func(ctx C, f *F, s *Store) error { return e1(s.MailAccounts(ctx)) }),
		rc("MailAccount", none, func(ctx C, f *F, s *Store) error { return e1(s.MailAccount(ctx, f.mailAccount)) }),
		gate(rc("DeleteMailAccount", none, func(ctx C, f *F, s *Store) error { return s.DeleteMailAccount(ctx, 999999) })),
		rc("MailFolderState", none, func(ctx C, f *F, s *Store) error { return e1(s.MailFolderState(ctx, f.mailAccount, "INBOX")) }),
		gate(rc("ApplyMail", none, func(ctx C, f *F, s *Store) error {
			return e1(s.ApplyMail(ctx, MailBatch{AccountID: f.mailAccount, Folder: "INBOX", UIDValidity: 1}))
		})),
		rc("EachStoredMail", none, func(ctx C, f *F, s *Store) error {
			return s.EachStoredMail(ctx, func(MailMessage) error { return nil })
		}),
		rc("ReparseMail", none, func(ctx C, f *F, s *Store) error { return e1(s.ReparseMail(ctx, nil)) }),
		rc("MailReviewQueue", none, func(ctx C, f *F, s *Store) error { return e1(s.MailReviewQueue(ctx)) }),
		rc("CountMailToReview", both, func(ctx C, f *F, s *Store) error { return e1(s.CountMailToReview(ctx)) }),
		gate(rc("StoredMail", none, func(ctx C, f *F, s *Store) error { return e1(s.StoredMail(ctx, 999999)) })),
		gate(rc("DismissMail", none, func(ctx C, f *F, s *Store) error { return s.DismissMail(ctx, 999999) })),
		gate(rc("EnterMailOrder", none, func(ctx C, f *F, s *Store) error {
			return e1(s.EnterMailOrder(ctx, 999999, shopOrder("MAIL-1", StatusPaid, f.sku, 1)))
		})),
		rc("LogMailSync", none, func(ctx C, f *F, s *Store) error {
			return s.LogMailSync(ctx, MailSyncRun{AccountID: f.mailAccount, Started: testNow, Finished: testNow})
		}),
		rc("LastMailSync", none, func(ctx C, f *F, s *Store) error { return e2(s.LastMailSync(ctx, f.mailAccount)) }),
		rc("MailSyncRuns", none, func(ctx C, f *F, s *Store) error { return e1(s.MailSyncRuns(ctx, f.mailAccount, 5)) }),

		// Column mappings: read by anyone looking at an import, saved by the owner who imports.
		rc("SaveColumnMapping", none, func(ctx C, f *F, s *Store) error {
			return s.SaveColumnMapping(ctx, ColumnMapping{Signature: "sig-roles", Name: "Roles", Header: []string{"Order", "SKU", "Qty"},
				Channel: "faire", Kind: "orders", Columns: map[string]string{"order_id": "Order", "sku": "SKU", "quantity": "Qty"}})
		}),
		gate(rc("ColumnMapping", both, func(ctx C, f *F, s *Store) error { return e1(s.ColumnMapping(ctx, "sig-none")) })),
		rc("ColumnMappings", both, func(ctx C, f *F, s *Store) error { return e1(s.ColumnMappings(ctx)) }),
		gate(rc("DeleteColumnMapping", none, func(ctx C, f *F, s *Store) error { return s.DeleteColumnMapping(ctx, "sig-none") })),

		// Customer messages: the owner's, as they go out under the shop's mail account.
		rc("EvaluateMessageRules", none, func(ctx C, f *F, s *Store) error { return e1(s.EvaluateMessageRules(ctx, true)) }),
		rc("MessageRules", none, func(ctx C, f *F, s *Store) error { return e1(s.MessageRules(ctx)) }),
		gate(rc("SaveMessageRule", none, func(ctx C, f *F, s *Store) error {
			return e1(s.SaveMessageRule(ctx, MessageRule{Name: "Thanks", Trigger: TriggerOrderShipped, Action: ActionNotify}))
		})),
		gate(rc("DeleteMessageRule", none, func(ctx C, f *F, s *Store) error { return s.DeleteMessageRule(ctx, 999999) })),
		rc("MessageTemplates", none, func(ctx C, f *F, s *Store) error { return e1(s.MessageTemplates(ctx)) }),
		rc("SaveMessageTemplate", none, func(ctx C, f *F, s *Store) error {
			return e1(s.SaveMessageTemplate(ctx, MessageTemplate{Name: "Roles", Subject: "Your order", Body: "Thank you."}))
		}),
		gate(rc("DeleteMessageTemplate", none, func(ctx C, f *F, s *Store) error { return s.DeleteMessageTemplate(ctx, 999999) })),
		rc("RenderTemplate", none, func(ctx C, f *F, s *Store) error {
			return e1(s.RenderTemplate(ctx, MessageTemplate{Name: "x", Subject: "Order", Body: "Thanks"}, f.order.ID))
		}),

		// Support tickets: customer mail that came to the shop's mailbox, answered from its account.
		rc("Tickets", none, func(ctx C, f *F, s *Store) error { return e1(s.Tickets(ctx, TicketFilter{})) }),
		gate(rc("Ticket", none, func(ctx C, f *F, s *Store) error { return e1(s.Ticket(ctx, 999999)) })),
		gate(rc("SetTicketStatus", none, func(ctx C, f *F, s *Store) error { return s.SetTicketStatus(ctx, 999999, TicketClosed) })),
		gate(rc("AssignTicket", none, func(ctx C, f *F, s *Store) error { return s.AssignTicket(ctx, 999999, "Jamie Lee") })),
		gate(rc("SetTicketReason", none, func(ctx C, f *F, s *Store) error { return s.SetTicketReason(ctx, 999999, ReasonDamaged) })),
		gate(rc("AddTicketNote", none, func(ctx C, f *F, s *Store) error { return s.AddTicketNote(ctx, 999999, "called back") })),
		gate(rc("ReplyToTicket", none, func(ctx C, f *F, s *Store) error { return e1(s.ReplyToTicket(ctx, 999999, "On its way.")) })),
		rc("TicketRates", none, func(ctx C, f *F, s *Store) error { return e1(s.TicketRates(ctx, f.period.From, testNow)) }),

		// Operations figures: how the shop works, for the owner and the accountant.
		rc("StatusAges", acct, func(ctx C, f *F, s *Store) error { return e1(s.StatusAges(ctx, f.period.From, testNow)) }),
		rc("StuckOrders", acct, func(ctx C, f *F, s *Store) error { return e1(s.StuckOrders(ctx, time.Hour)) }),
		rc("CarrierFigures", acct, func(ctx C, f *F, s *Store) error { return e1(s.CarrierFigures(ctx, f.period.From, testNow)) }),
		rc("PackerDays", acct, func(ctx C, f *F, s *Store) error { return e1(s.PackerDays(ctx, f.period.From, testNow, time.UTC)) }),

		// Orders: the packing desk's work; everyone reads them.
		rc("ApplyOrders", pack, func(ctx C, f *F, s *Store) error {
			return e1(s.ApplyOrders(ctx, []Order{shopOrder("ROLE-"+s.user.Name, StatusNew, f.sku, 1)}))
		}),
		gate(rc("SetOrderStatus", pack, func(ctx C, f *F, s *Store) error { return e1(s.SetOrderStatus(ctx, 999999, StatusPicking)) })),
		rc("Order", both, func(ctx C, f *F, s *Store) error { return e1(s.Order(ctx, f.order.ID)) }),
		rc("OrderByKey", both, func(ctx C, f *F, s *Store) error { return e1(s.OrderByKey(ctx, "shopify", "ROLE-1")) }),
		rc("OrderLines", both, func(ctx C, f *F, s *Store) error { return e1(s.OrderLines(ctx, []int64{f.order.ID})) }),
		rc("Orders", both, func(ctx C, f *F, s *Store) error { return e1(s.Orders(ctx, OrderFilter{Limit: 5})) }),
		rc("CountOrders", both, func(ctx C, f *F, s *Store) error { return e1(s.CountOrders(ctx, OrderFilter{})) }),
		rc("Channels", both, func(ctx C, f *F, s *Store) error { return e1(s.Channels(ctx)) }),

		// The outbox: mail sent from the shop's account.
		rc("Outbox", none, func(ctx C, f *F, s *Store) error { return e1(s.Outbox(ctx, OutboxFilter{})) }),
		rc("DueMessages", none, func(ctx C, f *F, s *Store) error { return e1(s.DueMessages(ctx, testNow, 5)) }),
		gate(rc("MarkSending", none, func(ctx C, f *F, s *Store) error { return s.MarkSending(ctx, 999999) })),
		gate(rc("MarkSent", none, func(ctx C, f *F, s *Store) error { return s.MarkSent(ctx, 999999, RouteSMTP) })),
		gate(rc("MarkFailed", none, func(ctx C, f *F, s *Store) error { return s.MarkFailed(ctx, 999999, "timeout") })),
		gate(rc("MarkGaveUp", none, func(ctx C, f *F, s *Store) error { return s.MarkGaveUp(ctx, 999999, "550 no such user") })),
		gate(rc("MarkDone", none, func(ctx C, f *F, s *Store) error { return s.MarkDone(ctx, 999999) })),
		gate(rc("RetryMessage", none, func(ctx C, f *F, s *Store) error { return s.RetryMessage(ctx, 999999) })),
		rc("SentLog", pack, func(ctx C, f *F, s *Store) error { return e1(s.SentLog(ctx, f.order.ID)) }),
		rc("SaveSMTPAccount", none, func(ctx C, f *F, s *Store) error {
			return s.SaveSMTPAccount(ctx, SMTPAccount{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, User: "shop@example.com",
				From: "shop@example.com", Route: RouteSMTP})
		}),

		rc("SMTPAccount", none, func(ctx C, f *F, s *Store) error { return e1(s.SMTPAccount(ctx)) }),

		rc("Overview", both, func(ctx C, f *F, s *Store) error { return e1(s.Overview(ctx, testNow, time.UTC)) }),

		// Packing: the packer's desk. The accountant changes nothing.
		rc("FindOrderToPack", pack, func(ctx C, f *F, s *Store) error { return e1(s.FindOrderToPack(ctx, "ROLE-1", "")) }),
		rc("PackState", pack, func(ctx C, f *F, s *Store) error { return e1(s.PackState(ctx, f.order.ID)) }),
		rc("StartPack", pack, func(ctx C, f *F, s *Store) error { return e1(s.StartPack(ctx, f.order.ID)) }),
		rc("PackScan", pack, func(ctx C, f *F, s *Store) error { return e1(s.PackScan(ctx, f.order.ID, f.sku)) }),
		rc("PackByHand", pack, func(ctx C, f *F, s *Store) error { return e1(s.PackByHand(ctx, f.handPacked, 1, "ROLE-PLAIN", 1)) }),
		rc("ResetPack", pack, func(ctx C, f *F, s *Store) error { return e1(s.ResetPack(ctx, f.order.ID)) }),
		rc("PackOverride", pack, func(ctx C, f *F, s *Store) error {
			return e1(s.PackOverride(ctx, f.handPacked, 1, "ROLE-PLAIN", 1, "label torn off", Approval{}))
		}),
		gate(rc("MarkPacked", pack, func(ctx C, f *F, s *Store) error { return e1(s.MarkPacked(ctx, 999999)) })),
		gate(rc("ShipOrder", pack, func(ctx C, f *F, s *Store) error { return e1(s.ShipOrder(ctx, 999999, Shipment{Carrier: "DPD"})) })),
		rc("Shipment", both, func(ctx C, f *F, s *Store) error { return e2(s.Shipment(ctx, f.shipped)) }),
		rc("ShippedOrders", both, func(ctx C, f *F, s *Store) error { return e1(s.ShippedOrders(ctx, "", f.period.From, time.Time{})) }),

		// Planning: read by all, costs left empty for the packer; drafting orders is the owner's.
		rc("PlanningSettings", both, func(ctx C, f *F, s *Store) error { return e1(s.PlanningSettings(ctx)) }),
		rc("SalesVelocity", both, func(ctx C, f *F, s *Store) error { return e1(s.SalesVelocity(ctx, testNow, 30)) }),
		rc("ReorderPlan", both, func(ctx C, f *F, s *Store) error { return e1(s.ReorderPlan(ctx, testNow)) }),
		rc("ReorderSuggestions", both, func(ctx C, f *F, s *Store) error { return e1(s.ReorderSuggestions(ctx, testNow)) }),
		rc("DraftPOsFromSuggestions", none, func(ctx C, f *F, s *Store) error {
			return e2(s.DraftPOsFromSuggestions(ctx, testNow, []string{f.supplierID}))
		}),
		rc("WhatIfSupplierStops", both, func(ctx C, f *F, s *Store) error { return e1(s.WhatIfSupplierStops(ctx, testNow, f.supplierID)) }),

		// The catalogue: read by all (costs empty for the packer), changed by the owner.
		rc("AddVariant", none, func(ctx C, f *F, s *Store) error {
			return e1(s.AddVariant(ctx, NewVariant{SKU: "ROLE-NEW", ProductName: "Role test", Price: 100, Cost: 40, Currency: "GBP"}))
		}),
		rc("UpdateVariant", none, func(ctx C, f *F, s *Store) error {
			return e1(s.UpdateVariant(ctx, f.sku, VariantUpdate{Bin: ptr("A-01")}))
		}),
		rc("Variant", both, func(ctx C, f *F, s *Store) error { return e1(s.Variant(ctx, f.sku)) }),
		gate(rc("VariantByBarcode", both, func(ctx C, f *F, s *Store) error { return e1(s.VariantByBarcode(ctx, "0000000000000")) })),
		rc("Variants", both, func(ctx C, f *F, s *Store) error { return e1(s.Variants(ctx, VariantFilter{})) }),
		rc("CountVariants", both, func(ctx C, f *F, s *Store) error { return e1(s.CountVariants(ctx, "", true)) }),
		gate(rc("SetKit", none, func(ctx C, f *F, s *Store) error {
			return s.SetKit(ctx, "NO-SUCH-KIT", []KitComponent{{SKU: f.sku, Quantity: 2}})
		})),
		rc("SetAlias", none, func(ctx C, f *F, s *Store) error {
			return s.SetAlias(ctx, Alias{Channel: "etsy", ChannelKey: "role-listing", SKU: f.sku, Pack: 1})
		}),
		rc("MapUnmatched", none, func(ctx C, f *F, s *Store) error {
			return e1(s.MapUnmatched(ctx, Alias{Channel: "etsy", ChannelKey: "role-listing-2", SKU: f.sku, Pack: 1}))
		}),
		rc("Aliases", both, func(ctx C, f *F, s *Store) error { return e1(s.Aliases(ctx, "")) }),
		rc("UnmatchedLines", both, func(ctx C, f *F, s *Store) error { return e1(s.UnmatchedLines(ctx, 10)) }),

		// Purchasing: the owner orders; whoever moves stock receives; costs empty for the packer.
		rc("CreatePO", none, func(ctx C, f *F, s *Store) error {
			return e1(s.CreatePO(ctx, NewPO{SupplierID: f.supplierID, Lines: []NewPOLine{{SKU: f.sku, Quantity: 5}}}))
		}),
		rc("UpdatePO", none, func(ctx C, f *F, s *Store) error {
			return e1(s.UpdatePO(ctx, f.poDraft, NewPO{Notes: "call first", Lines: []NewPOLine{{SKU: f.sku, Quantity: 6}}}))
		}),
		rc("SendPO", none, func(ctx C, f *F, s *Store) error { return e1(s.SendPO(ctx, f.poDraft, nil)) }),
		rc("ReceivePO", pack, func(ctx C, f *F, s *Store) error {
			return e1(s.ReceivePO(ctx, f.poSent, []POReceipt{{LineNo: 1, Quantity: 1}}, "box 1"))
		}),
		rc("ClosePO", none, func(ctx C, f *F, s *Store) error { return e1(s.ClosePO(ctx, f.poSent, "rest not coming")) }),
		gate(rc("CancelPO", none, func(ctx C, f *F, s *Store) error { return e1(s.CancelPO(ctx, 999999, "changed my mind")) })),
		rc("PurchaseOrder", both, func(ctx C, f *F, s *Store) error { return e1(s.PurchaseOrder(ctx, f.poSent)) }),
		rc("PurchaseOrders", both, func(ctx C, f *F, s *Store) error { return e1(s.PurchaseOrders(ctx, POFilter{})) }),
		rc("OverduePOs", both, func(ctx C, f *F, s *Store) error { return e1(s.OverduePOs(ctx, testNow)) }),
		rc("CountOverduePOs", both, func(ctx C, f *F, s *Store) error { return e1(s.CountOverduePOs(ctx, testNow)) }),
		rc("POReceipts", both, func(ctx C, f *F, s *Store) error { return e1(s.POReceipts(ctx, f.poSent)) }),
		rc("SupplierLeadTimes", both, func(ctx C, f *F, s *Store) error { return e1(s.SupplierLeadTimes(ctx, f.supplierID)) }),
		rc("SupplierPerformance", both, func(ctx C, f *F, s *Store) error { return e1(s.SupplierPerformance(ctx, testNow)) }),

		// Returns: the packer books them in.
		rc("ReturnableLines", both, func(ctx C, f *F, s *Store) error { return e1(s.ReturnableLines(ctx, f.shipped)) }),
		gate(rc("RecordReturn", pack, func(ctx C, f *F, s *Store) error {
			return e1(s.RecordReturn(ctx, Return{OrderID: f.shipped, SKU: f.sku, Units: 1, Reason: ReturnDamaged,
				Condition: ConditionDamaged, Disposition: WriteOff}))
		})),
		rc("Returns", both, func(ctx C, f *F, s *Store) error { return e1(s.Returns(ctx, ReturnFilter{})) }),
		rc("ReturnRates", both, func(ctx C, f *F, s *Store) error { return e2(s.ReturnRates(ctx, f.period.From, time.Time{})) }),

		// Costs and margins.
		rc("CostHistory", acct, func(ctx C, f *F, s *Store) error { return e1(s.CostHistory(ctx, f.sku)) }),
		rc("SalesReport", acct, func(ctx C, f *F, s *Store) error {
			return e1(s.SalesReport(ctx, f.period.From, testNow, "product", time.UTC))
		}),

		// Settings: read by all (the shop's name is on every window), changed by the owner.
		rc("Setting", both, func(ctx C, f *F, s *Store) error { return e1(s.Setting(ctx, SettingShopName)) }),
		rc("SetSetting", none, func(ctx C, f *F, s *Store) error { return s.SetSetting(ctx, SettingShopName, "Role Test Shop") }),

		// Stock: the packer's work, read by all.
		rc("AdjustStock", pack, func(ctx C, f *F, s *Store) error {
			return e1(s.AdjustStock(ctx, Adjustment{SKU: f.sku, Delta: 1, Reason: ReasonReceipt, Note: "found one"}))
		}),
		gate(rc("Transfer", pack, func(ctx C, f *F, s *Store) error { return s.Transfer(ctx, f.sku, 1, f.location, "nowhere", "move") })),
		rc("Movements", both, func(ctx C, f *F, s *Store) error { return e1(s.Movements(ctx, f.sku, 5, 0)) }),
		rc("StockLevels", both, func(ctx C, f *F, s *Store) error { return e1(s.StockLevels(ctx, StockFilter{})) }),
		rc("StockLevel", both, func(ctx C, f *F, s *Store) error { return e1(s.StockLevel(ctx, f.sku)) }),
		rc("StockByLocation", both, func(ctx C, f *F, s *Store) error { return e1(s.StockByLocation(ctx, f.sku)) }),

		// Suppliers: the owner's; read by all, terms and prices empty for the packer.
		rc("AddSupplier", none, func(ctx C, f *F, s *Store) error {
			return e1(s.AddSupplier(ctx, Supplier{Name: "Role Supplies", Currency: "GBP", LeadTimeDays: 7}))
		}),
		gate(rc("UpdateSupplier", none, func(ctx C, f *F, s *Store) error {
			return e1(s.UpdateSupplier(ctx, Supplier{ID: "nothing", Name: "X"}))
		})),
		rc("SetSupplierAvailable", none, func(ctx C, f *F, s *Store) error { return s.SetSupplierAvailable(ctx, f.supplierID, true, "") }),
		rc("Suppliers", both, func(ctx C, f *F, s *Store) error { return e1(s.Suppliers(ctx)) }),
		rc("Supplier", both, func(ctx C, f *F, s *Store) error { return e1(s.Supplier(ctx, f.supplierID)) }),
		gate(rc("SetSupplierItem", none, func(ctx C, f *F, s *Store) error {
			return s.SetSupplierItem(ctx, SupplierItem{SupplierID: "nothing", SKU: f.sku, UnitCost: ptr(int64(100)), PackSize: 1, MinOrderQty: 1})
		})),
		gate(rc("RemoveSupplierItem", none, func(ctx C, f *F, s *Store) error { return s.RemoveSupplierItem(ctx, "nothing", f.sku) })),
		rc("SupplierItems", both, func(ctx C, f *F, s *Store) error { return e1(s.SupplierItems(ctx, f.supplierID)) }),
		rc("SKUSuppliers", both, func(ctx C, f *F, s *Store) error { return e1(s.SKUSuppliers(ctx, f.sku)) }),

		// Users: the owner manages them; everyone signs in and may change their own PIN.
		rc("Users", both, func(ctx C, f *F, s *Store) error { return e1(s.Users(ctx)) }),
		rc("UserByName", both, func(ctx C, f *F, s *Store) error { return e1(s.UserByName(ctx, "Jamie Lee")) }),
		rc("AddUser", none, func(ctx C, f *F, s *Store) error { return e1(s.AddUser(ctx, "Role Tester", RolePacker, "4321")) }),
		rc("SetPIN", none, func(ctx C, f *F, s *Store) error {
			// Someone else's PIN, set to what it was, so the sign-ins below still work.
			name, pin := "Priya Shah", "2468"
			if s.user.Role == RoleAccountant {
				name, pin = "Jamie Lee", "1234"
			}
			u, err := f.owner.UserByName(ctx, name)
			if err != nil {
				return err
			}
			return s.SetPIN(ctx, u.ID, pin)
		}),
		{method: "SetPIN(own)", packer: true, accountant: true, call: func(ctx C, f *F, s *Store) error {
			pin := map[Role]string{RolePacker: "1234", RoleAccountant: "2468"}[s.user.Role]
			return s.SetPIN(ctx, s.user.ID, pin)
		}, skipOwner: "the fixture's owner is the system user, who has no PIN of their own"},
		rc("Login", both, func(ctx C, f *F, s *Store) error { return e1(s.Login(ctx, "Jamie Lee", "1234")) }),

		// The sync hub's registry: credentials, so the owner's.
		rc("HubIdentity", none, func(ctx C, f *F, s *Store) error {
			return e1(s.HubIdentity(ctx, func() (HubIdentity, error) { return HubIdentity{CertPEM: "cert", KeyPEM: "key"}, nil }))
		}),
		rc("AddHubPairing", none, func(ctx C, f *F, s *Store) error {
			return s.AddHubPairing(ctx, "role-secret-1", testNow.Add(time.Hour))
		}),
		gate(rc("CheckHubPairing", none, func(ctx C, f *F, s *Store) error { return s.CheckHubPairing(ctx, "no-such-secret") })),
		gate(rc("PairHubDevice", none, func(ctx C, f *F, s *Store) error {
			return e1(s.PairHubDevice(ctx, "no-such-secret", HubDevice{ID: "role-dev-2", Name: "Till"}, strings.Repeat("p", 20)))
		})),
		rc("AddHubDevice", none, func(ctx C, f *F, s *Store) error {
			return e1(s.AddHubDevice(ctx, HubDevice{ID: "role-dev-1", Name: "Desk"}, strings.Repeat("p", 20)))
		}),
		gate(rc("CheckHubDevice", none, func(ctx C, f *F, s *Store) error {
			return e1(s.CheckHubDevice(ctx, "role-dev-1", strings.Repeat("p", 20)))
		})),
		rc("NoteHubDeviceSeen", none, func(ctx C, f *F, s *Store) error { return s.NoteHubDeviceSeen(ctx, "role-dev-1") }),
		rc("HubDevices", none, func(ctx C, f *F, s *Store) error { return e1(s.HubDevices(ctx)) }),
		gate(rc("RemoveHubDevice", none, func(ctx C, f *F, s *Store) error { return s.RemoveHubDevice(ctx, "no-such-device") })),

		// Sync: its status is anyone's; the ops carry costs and the settings a password, so the owner's
		// (the app syncs through its own system store, whoever is signed in).
		rc("SyncStatus", both, func(ctx C, f *F, s *Store) error { return e1(s.SyncStatus(ctx)) }),
		rc("SyncCursor", both, func(ctx C, f *F, s *Store) error { return e1(s.SyncCursor(ctx)) }),
		rc("NoteSyncAttempt", both, func(ctx C, f *F, s *Store) error { return s.NoteSyncAttempt(ctx, nil) }),
		rc("SyncSettings", none, func(ctx C, f *F, s *Store) error { return e1(s.SyncSettings(ctx)) }),
		rc("SaveSyncSettings", none, func(ctx C, f *F, s *Store) error { return s.SaveSyncSettings(ctx, SyncSettings{DeviceName: "Desk"}) }),
		gate(rc("EnableSync", none, func(ctx C, f *F, s *Store) error { return s.EnableSync(ctx, false) })),
		rc("PendingOps", none, func(ctx C, f *F, s *Store) error { return e1(s.PendingOps(ctx, 10)) }),
		rc("SyncOps", none, func(ctx C, f *F, s *Store) error { return e2(s.SyncOps(ctx, 0, 10)) }),
		rc("MarkPublished", none, func(ctx C, f *F, s *Store) error { return s.MarkPublished(ctx, []string{"no-such-op"}) }),
		gate(rc("ApplyRemote", none, func(ctx C, f *F, s *Store) error { return e1(s.ApplyRemote(ctx, nil, 0)) })),
		rc("DumpShared", none, func(ctx C, f *F, s *Store) error { return s.DumpShared(ctx, io.Discard) }),
		rc("NoteHubEpoch", none, func(ctx C, f *F, s *Store) error { return e1(s.NoteHubEpoch(ctx, "", 0)) }),
	}
}

// storeInfrastructure are Store methods that touch no shop data: who the store acts for, its file, its
// clock. They need no permission.
var storeInfrastructure = []string{"As", "Can", "Close", "DeviceID", "Now", "Path", "User"}

// TestRoles calls every guarded method as the packer, the accountant and the owner: a role that may not
// gets ErrPermission (not an empty result), a role that may gets no ErrPermission, and the owner's calls
// succeed (or, for the calls marked gate, fail only for want of the thing they name).
func TestRoles(t *testing.T) {
	ctx := context.Background()
	f := newRoleFixture(t)
	for _, c := range roleCases() {
		t.Run(c.method, func(t *testing.T) {
			for _, r := range []struct {
				s       *Store
				allowed bool
			}{{f.packer, c.packer}, {f.accountant, c.accountant}} {
				err := c.call(ctx, f, r.s)
				role := r.s.User().Role
				switch {
				case !r.allowed && !errors.Is(err, ErrPermission):
					t.Errorf("%s as %s = %v, want ErrPermission", c.method, role, err)
				case r.allowed && errors.Is(err, ErrPermission):
					t.Errorf("%s as %s = %v, want it allowed", c.method, role, err)
				case r.allowed && err != nil && !c.ownerGate:
					t.Errorf("%s as %s = %v, want success", c.method, role, err)
				}
			}
			if c.skipOwner != "" {
				return
			}
			err := c.call(ctx, f, f.owner)
			switch {
			case errors.Is(err, ErrPermission):
				t.Errorf("%s as owner = %v, want it allowed", c.method, err)
			case err != nil && !c.ownerGate:
				t.Errorf("%s as owner = %v, want success", c.method, err)
			}
		})
	}
}

// TestRoles_EveryMethod fails when an exported Store method is in neither TestRoles' table nor the list
// of methods that touch no shop data: a new method must say who may call it.
func TestRoles_EveryMethod(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range roleCases() {
		name, _, _ := strings.Cut(c.method, "(")
		covered[name] = true
	}
	for _, m := range storeInfrastructure {
		covered[m] = true
	}
	typ := reflect.TypeOf(&Store{})
	var missing []string
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; !covered[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("Store methods with no row in roleCases: %s", strings.Join(missing, ", "))
	}
}

// TestRoles_PackerSeesNoCosts reads, as the packer, every list the packing desk uses that carries costs
// for the owner, and finds them empty; the accountant sees them.
func TestRoles_PackerSeesNoCosts(t *testing.T) {
	ctx := context.Background()
	f := newRoleFixture(t)
	vs, err := f.packer.Variants(ctx, VariantFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Cost != nil {
			t.Errorf("packer Variants: %s has cost %d, want none", v.SKU, *v.Cost)
		}
	}
	if v, err := f.packer.Variant(ctx, f.sku); err != nil || v.Cost != nil {
		t.Errorf("packer Variant(%s) = cost %v, %v; want no cost", f.sku, v.Cost, err)
	}
	if v, err := f.accountant.Variant(ctx, f.sku); err != nil || v.Cost == nil {
		t.Errorf("accountant Variant(%s) = cost %v, %v; want the cost", f.sku, v.Cost, err)
	}
	po, err := f.packer.PurchaseOrder(ctx, f.poSent)
	if err != nil {
		t.Fatal(err)
	}
	if po.Total != 0 || !po.CostsHidden {
		t.Errorf("packer PurchaseOrder: total %d, hidden %v; want 0, true", po.Total, po.CostsHidden)
	}
	for _, l := range po.Lines {
		if l.UnitCost != 0 {
			t.Errorf("packer PurchaseOrder line %d: unit cost %d, want 0", l.LineNo, l.UnitCost)
		}
	}
	if po, _ := f.accountant.PurchaseOrder(ctx, f.poSent); po.Total != 3000 {
		t.Errorf("accountant PurchaseOrder total = %d, want 3000 (10 × 300)", po.Total)
	}
	items, err := f.packer.SupplierItems(ctx, f.supplierID)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Fatalf("supplier %s sells nothing in the fixture", f.supplierID)
	}
	for _, it := range items {
		if it.UnitCost != nil {
			t.Errorf("packer SupplierItems: %s costs %d, want none", it.SKU, *it.UnitCost)
		}
	}
	if err := f.owner.SetSupplierItem(ctx, SupplierItem{SupplierID: f.supplierID, SKU: f.sku, UnitCost: ptr(int64(300)),
		PackSize: 1, MinOrderQty: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.owner.UpdateSupplier(ctx, func() Supplier {
		sp, _ := f.owner.Supplier(ctx, f.supplierID)
		sp.MinOrderValue = 10000
		return sp
	}()); err != nil {
		t.Fatal(err)
	}
	sps, err := f.packer.Suppliers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range sps {
		if sp.MinOrderValue != 0 {
			t.Errorf("packer Suppliers: %s has minimum order %d, want 0", sp.Name, sp.MinOrderValue)
		}
	}
	if sp, _ := f.packer.Supplier(ctx, f.supplierID); sp.MinOrderValue != 0 {
		t.Errorf("packer Supplier: minimum order %d, want 0", sp.MinOrderValue)
	}
	if sp, _ := f.accountant.Supplier(ctx, f.supplierID); sp.MinOrderValue != 10000 {
		t.Errorf("accountant Supplier: minimum order %d, want 10000", sp.MinOrderValue)
	}
	sugg, err := f.packer.ReorderSuggestions(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, sg := range sugg {
		if sg.Total != 0 || sg.MinOrderValue != 0 {
			t.Errorf("packer ReorderSuggestions: %s shows total %d, minimum %d; want 0, 0", sg.SupplierName, sg.Total, sg.MinOrderValue)
		}
	}
	ov, err := f.packer.Overview(ctx, testNow, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Sales30d) != 0 {
		t.Errorf("packer Overview has sales figures: %+v", ov.Sales30d)
	}
}
