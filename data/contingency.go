package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The triggers a contingency rule can watch.
const (
	// TriggerPOLate fires for each open PO more than LateDays days past its expected delivery.
	TriggerPOLate = "po_late"
	// TriggerOnTimeBelow fires for a supplier whose last LastPOs measured POs were on time less than
	// MinOnTime percent of the time.
	TriggerOnTimeBelow = "on_time_below"
	// TriggerSupplierUnavailable fires for a supplier the owner marked unavailable.
	TriggerSupplierUnavailable = "supplier_unavailable"
	// TriggerStockoutBeforeReceipt fires for a SKU projected to run out before its next delivery.
	TriggerStockoutBeforeReceipt = "stockout_before_receipt"
)

// The actions a contingency rule can take when it fires.
const (
	// ActionAlert only raises the alert.
	ActionAlert = "alert"
	// ActionDraftBackupPO drafts a PO with the next ranked available supplier for the affected SKUs.
	ActionDraftBackupPO = "draft_backup_po"
	// ActionListHeldOrders lists the open customer orders the shortage will hold up.
	ActionListHeldOrders = "list_held_orders"
)

// ContingencyRule is a plan for a supplier failing: a trigger to watch and an action to take. A rule
// watches one supplier, one SKU, or (both empty) every supplier and SKU.
type ContingencyRule struct {
	ID           string
	SupplierID   string // "" for any supplier
	SupplierName string // filled when read
	SKU          string // "" for any SKU
	Trigger      string // one of the Trigger constants
	LateDays     int    // po_late: days past the expected delivery
	MinOnTime    int    // on_time_below: percent
	LastPOs      int    // on_time_below: how many of the supplier's latest measured POs count
	Action       string // one of the Action constants
	Active       bool
	CreatedAt    time.Time
}

// Describe says what the rule does in one sentence, as the owner would put it.
func (r ContingencyRule) Describe() string {
	supplier := r.SupplierName
	if supplier == "" && r.SupplierID != "" {
		supplier = "the supplier"
	}
	var when string
	switch r.Trigger {
	case TriggerPOLate:
		what := "any PO"
		switch {
		case supplier != "" && r.SKU != "":
			what = "a PO from " + supplier + " for " + r.SKU
		case supplier != "":
			what = "a PO from " + supplier
		case r.SKU != "":
			what = "a PO for " + r.SKU
		}
		switch r.LateDays {
		case 0:
			when = fmt.Sprintf("When %s is late", what)
		case 1:
			when = fmt.Sprintf("When %s is more than 1 day late", what)
		default:
			when = fmt.Sprintf("When %s is more than %d days late", what, r.LateDays)
		}
	case TriggerOnTimeBelow:
		who := "a supplier"
		switch {
		case supplier != "":
			who = supplier
		case r.SKU != "":
			who = "the primary supplier of " + r.SKU
		}
		when = fmt.Sprintf("When %s delivers fewer than %d%% of its last %d POs on time", who, r.MinOnTime, r.LastPOs)
	case TriggerSupplierUnavailable:
		who := "any supplier"
		switch {
		case supplier != "":
			who = supplier
		case r.SKU != "":
			who = "the primary supplier of " + r.SKU
		}
		when = "When " + who + " is marked unavailable"
	case TriggerStockoutBeforeReceipt:
		what := "any product"
		switch {
		case r.SKU != "":
			what = r.SKU
		case supplier != "":
			what = "a product " + supplier + " supplies first"
		}
		when = "When " + what + " will run out before its next delivery"
	default:
		when = "When " + r.Trigger
	}
	var then string
	switch r.Action {
	case ActionAlert:
		then = "alert the owner"
	case ActionDraftBackupPO:
		then = "draft a PO with the next backup supplier"
	case ActionListHeldOrders:
		then = "list the customer orders it holds up"
	default:
		then = r.Action
	}
	return when + ", " + then
}

// Validate checks a rule before it is written; the message names the field at fault.
func (r ContingencyRule) Validate() error {
	switch r.Trigger {
	case TriggerPOLate:
		if r.LateDays < 0 {
			return errorf(ErrInvalid, "late days: a PO is late by 0 days or more, not %d", r.LateDays)
		}
	case TriggerOnTimeBelow:
		if r.MinOnTime < 1 || r.MinOnTime > 100 {
			return errorf(ErrInvalid, "minimum on-time rate: a percentage from 1 to 100, not %d", r.MinOnTime)
		}
		if r.LastPOs < 1 {
			return errorf(ErrInvalid, "last POs: the rate needs at least 1 measured PO, not %d", r.LastPOs)
		}
	case TriggerSupplierUnavailable, TriggerStockoutBeforeReceipt:
	case "":
		return errorf(ErrInvalid, "trigger: choose what the rule watches")
	default:
		return errorf(ErrInvalid, "trigger: %q is not one of po_late, on_time_below, supplier_unavailable, stockout_before_receipt", r.Trigger)
	}
	switch r.Action {
	case ActionAlert, ActionDraftBackupPO, ActionListHeldOrders:
	case "":
		return errorf(ErrInvalid, "action: choose what the rule does when it fires")
	default:
		return errorf(ErrInvalid, "action: %q is not one of alert, draft_backup_po, list_held_orders", r.Action)
	}
	if r.LateDays < 0 || r.MinOnTime < 0 || r.MinOnTime > 100 || r.LastPOs < 0 {
		return errorf(ErrInvalid, "late days, minimum on-time rate and last POs cannot be negative")
	}
	return nil
}

// checkScope resolves a rule's supplier and SKU inside a write: both must exist, the SKU as the
// catalogue writes it and not a kit (a kit holds no stock; its parts are what run out).
func (t *tx) checkScope(ctx context.Context, r *ContingencyRule) error {
	r.SupplierID, r.SKU = strings.TrimSpace(r.SupplierID), strings.TrimSpace(r.SKU)
	r.SupplierName = ""
	if r.SupplierID != "" {
		sp, err := t.s.supplier(ctx, t, r.SupplierID)
		if errors.Is(err, ErrNotFound) {
			return errorf(ErrInvalid, "supplier: there is no supplier with id %s", r.SupplierID)
		}
		if err != nil {
			return err
		}
		r.SupplierName = sp.Name
	}
	if r.SKU != "" {
		v, err := t.s.variant(ctx, t, r.SKU)
		if errors.Is(err, ErrNotFound) {
			return errorf(ErrInvalid, "SKU: there is no SKU %s", r.SKU)
		}
		if err != nil {
			return err
		}
		if len(v.Kit) > 0 {
			return errorf(ErrInvalid, "SKU: %s is a kit and holds no stock; watch its parts", v.SKU)
		}
		r.SKU = v.SKU
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AddContingencyRule records a new rule, active. The next EvaluateContingencies applies it.
func (s *Store) AddContingencyRule(ctx context.Context, r ContingencyRule) (ContingencyRule, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return ContingencyRule{}, err
	}
	if err := r.Validate(); err != nil {
		return ContingencyRule{}, err
	}
	r.ID, r.Active = newID(), true
	err := s.update(ctx, func(t *tx) error {
		if err := t.checkScope(ctx, &r); err != nil {
			return err
		}
		r.CreatedAt = t.now
		if _, err := t.ExecContext(ctx, `INSERT INTO contingency_rules(id, supplier_id, sku, trigger_kind, late_days, min_on_time, last_pos,
			action, active, created_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			r.ID, nullString(r.SupplierID), nullString(r.SKU), r.Trigger, r.LateDays, r.MinOnTime, r.LastPOs, r.Action,
			t.nowText(), t.hlc, t.s.device); err != nil {
			return fmt.Errorf("add contingency rule: %w", err)
		}
		return t.audit(ctx, "create", "contingency_rule", r.ID, nil, r)
	})
	if err != nil {
		return ContingencyRule{}, err
	}
	return r, nil
}

// UpdateContingencyRule changes a rule, including switching it on or off. Alerts of a cause the rule
// no longer sees are cleared by the next evaluation.
func (s *Store) UpdateContingencyRule(ctx context.Context, r ContingencyRule) (ContingencyRule, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return ContingencyRule{}, err
	}
	if err := r.Validate(); err != nil {
		return ContingencyRule{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		before, err := t.s.contingencyRule(ctx, t, r.ID)
		if err != nil {
			return err
		}
		if err := t.checkScope(ctx, &r); err != nil {
			return err
		}
		r.CreatedAt = before.CreatedAt
		if _, err := t.ExecContext(ctx, `UPDATE contingency_rules SET supplier_id = ?, sku = ?, trigger_kind = ?, late_days = ?, min_on_time = ?,
			last_pos = ?, action = ?, active = ?, hlc = ?, device_id = ? WHERE id = ?`,
			nullString(r.SupplierID), nullString(r.SKU), r.Trigger, r.LateDays, r.MinOnTime, r.LastPOs, r.Action, r.Active,
			t.hlc, t.s.device, r.ID); err != nil {
			return fmt.Errorf("update contingency rule: %w", err)
		}
		return t.audit(ctx, "update", "contingency_rule", r.ID, before, r)
	})
	if err != nil {
		return ContingencyRule{}, err
	}
	return r, nil
}

// RemoveContingencyRule deletes a rule that never fired. One that did is switched off instead, because
// its alerts (and the orders they listed) stay on record; its live alerts are cleared at once.
func (s *Store) RemoveContingencyRule(ctx context.Context, id string) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := t.s.contingencyRule(ctx, t, id)
		if err != nil {
			return err
		}
		var fired bool
		if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contingency_alerts WHERE rule_id = ?)`, id).Scan(&fired); err != nil {
			return fmt.Errorf("remove contingency rule: %w", err)
		}
		if !fired {
			if _, err := t.ExecContext(ctx, `DELETE FROM contingency_rules WHERE id = ?`, id); err != nil {
				return fmt.Errorf("remove contingency rule: %w", err)
			}
			return t.audit(ctx, "delete", "contingency_rule", id, before, nil)
		}
		if _, err := t.ExecContext(ctx, `UPDATE contingency_rules SET active = 0, hlc = ?, device_id = ? WHERE id = ?`, t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("switch off contingency rule: %w", err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE contingency_alerts SET cleared_at = ?, hlc = ?, device_id = ? WHERE rule_id = ? AND cleared_at IS NULL`,
			t.nowText(), t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("clear alerts of contingency rule: %w", err)
		}
		after := before
		after.Active = false
		return t.audit(ctx, "update", "contingency_rule", id, before, after)
	})
}

const contingencyRuleColumns = `r.id, COALESCE(r.supplier_id, ''), COALESCE(sp.name, ''), COALESCE(r.sku, ''), r.trigger_kind, r.late_days,
	r.min_on_time, r.last_pos, r.action, r.active, r.created_at
	FROM contingency_rules r LEFT JOIN suppliers sp ON sp.id = r.supplier_id`

func scanContingencyRule(row scanner) (ContingencyRule, error) {
	var r ContingencyRule
	var created string
	if err := row.Scan(&r.ID, &r.SupplierID, &r.SupplierName, &r.SKU, &r.Trigger, &r.LateDays, &r.MinOnTime, &r.LastPOs, &r.Action,
		&r.Active, &created); err != nil {
		return ContingencyRule{}, err
	}
	r.CreatedAt = parseTime(created)
	return r, nil
}

func (s *Store) contingencyRule(ctx context.Context, q querier, id string) (ContingencyRule, error) {
	r, err := scanContingencyRule(q.QueryRowContext(ctx, `SELECT `+contingencyRuleColumns+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ContingencyRule{}, errorf(ErrNotFound, "there is no such contingency rule")
	}
	if err != nil {
		return ContingencyRule{}, fmt.Errorf("find contingency rule: %w", err)
	}
	return r, nil
}

// ContingencyRules lists the rules, active ones first, oldest first within each.
func (s *Store) ContingencyRules(ctx context.Context) ([]ContingencyRule, error) {
	out, err := queryList(ctx, s.read, scanContingencyRule, `SELECT `+contingencyRuleColumns+` ORDER BY r.active DESC, r.created_at, r.id`)
	if err != nil {
		return nil, fmt.Errorf("list contingency rules: %w", err)
	}
	return out, nil
}

// ContingencyAlert is one firing of a rule on one cause. It stays live while the cause lasts; Cleared
// once the cause has gone (a recurrence fires a new alert), Dismissed when the owner has dealt with it.
type ContingencyAlert struct {
	ID         int64
	RuleID     string
	Rule       string // the rule's Describe()
	Subject    string // the cause: "po:<id>", "supplier:<id>" or "sku:<SKU>"
	Message    string // one line for a person
	FiredAt    time.Time
	PO         *int64  // the draft PO the rule's action wrote
	HeldOrders []int64 // the open customer orders the shortage holds up, as listed when it fired
	Cleared    bool
	Dismissed  bool
}

// ContingencyAlerts lists alerts newest first: only those still live and not dismissed, or every one
// when includeClosed. Alerts carry no money, so every user may read them.
func (s *Store) ContingencyAlerts(ctx context.Context, includeClosed bool) ([]ContingencyAlert, error) {
	where := `WHERE a.cleared_at IS NULL AND a.dismissed_at IS NULL`
	if includeClosed {
		where = ``
	}
	var out []ContingencyAlert
	byID := map[int64]int{}
	err := scanRows(ctx, s.read, `SELECT a.id, a.rule_id, a.subject, a.message, a.fired_at, a.po_id, a.cleared_at IS NOT NULL,
			a.dismissed_at IS NOT NULL, `+contingencyRuleColumns+` JOIN contingency_alerts a ON a.rule_id = r.id
		`+where+` ORDER BY a.fired_at DESC, a.id DESC`, func(rows *sql.Rows) error {
		var a ContingencyAlert
		var fired, created string
		var po sql.NullInt64
		var r ContingencyRule
		if err := rows.Scan(&a.ID, &a.RuleID, &a.Subject, &a.Message, &fired, &po, &a.Cleared, &a.Dismissed,
			&r.ID, &r.SupplierID, &r.SupplierName, &r.SKU, &r.Trigger, &r.LateDays, &r.MinOnTime, &r.LastPOs, &r.Action, &r.Active, &created); err != nil {
			return err
		}
		a.FiredAt, a.Rule = parseTime(fired), r.Describe()
		if po.Valid {
			a.PO = &po.Int64
		}
		byID[a.ID] = len(out)
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list contingency alerts: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	err = scanRows(ctx, s.read, `SELECT DISTINCT h.alert_id, h.order_id FROM contingency_held_orders h JOIN contingency_alerts a ON a.id = h.alert_id
		`+where+` ORDER BY h.alert_id, h.order_id`, func(rows *sql.Rows) error {
		var alert, order int64
		if err := rows.Scan(&alert, &order); err != nil {
			return err
		}
		if i, ok := byID[alert]; ok {
			out[i].HeldOrders = append(out[i].HeldOrders, order)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list orders held by contingency alerts: %w", err)
	}
	return out, nil
}

// DismissAlert records that the owner has dealt with an alert. It stays live until its cause is gone, so
// the same cause does not fire again; it only leaves the list of open alerts.
func (s *Store) DismissAlert(ctx context.Context, id int64) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE contingency_alerts SET dismissed_at = ?, hlc = ?, device_id = ? WHERE id = ? AND dismissed_at IS NULL`,
			t.nowText(), t.hlc, t.s.device, id)
		if err != nil {
			return fmt.Errorf("dismiss alert %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists bool
			if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contingency_alerts WHERE id = ?)`, id).Scan(&exists); err != nil {
				return fmt.Errorf("dismiss alert %d: %w", id, err)
			}
			if !exists {
				return errorf(ErrNotFound, "there is no alert %d", id)
			}
			return nil // already dismissed
		}
		return t.audit(ctx, "dismiss", "contingency_alert", fmt.Sprint(id), nil, map[string]any{"dismissed_at": t.nowText()})
	})
}

// cause is one reason a rule fires now: what it is about, what to tell the owner, and which SKUs it
// puts at risk.
type cause struct {
	rule    ContingencyRule
	subject string
	message string
	skus    []string         // lower-case keys of the SKUs at risk
	failing string           // the supplier not to order from: the late or failing one; "" for none
	late    map[string]int64 // po_late: the late PO's outstanding units per SKU (lower case)
}

// latePO is an open purchase order at least a day past its expected day.
type latePO struct {
	id                 int64
	number, supplierID string
	expected           time.Time
	outstanding        map[string]int64
	skus               []string // lower case, in line order
}

// dateText is how alerts write a day.
func dateText(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// evaluation is one EvaluateContingencies run; what it reads it reads once, and only when a rule needs it.
type evaluation struct {
	s          *Store
	now        time.Time
	plan       *plan
	measured   map[string][]POLeadTime
	primary    map[string][]string // supplier id → the lower-case SKUs it is rank 1 for (active, not kits)
	primaryFor map[string]string   // lower-case SKU → its rank 1 supplier
	suppliers  map[string]Supplier
	late       []latePO
	lateRead   bool
	// openLines are the units open customer orders want, kits as their parts, oldest order first.
	openLines []openLine
	openRead  bool
	stock     map[string]int64 // on hand by lower-case SKU, once read
}

// openLine is one SKU's units on one open customer order.
type openLine struct {
	order int64
	sku   string // as the catalogue writes it
	key   string // lower case
	units int64
}

func (e *evaluation) loadPlan(ctx context.Context) (*plan, error) {
	if e.plan == nil {
		p, err := e.s.loadPlan(ctx, e.now)
		if err != nil {
			return nil, err
		}
		e.plan = p
	}
	return e.plan, nil
}

// primaryOf lists the SKUs (lower case) a supplier is primary for, active and not kits. One query
// answers it for every supplier, so that rules about suppliers need not read the whole plan.
func (e *evaluation) primaryOf(ctx context.Context, supplierID string) ([]string, error) {
	if err := e.loadPrimaries(ctx); err != nil {
		return nil, err
	}
	return e.primary[supplierID], nil
}

func (e *evaluation) loadPrimaries(ctx context.Context) error {
	if e.primary != nil {
		return nil
	}
	e.primary, e.primaryFor = map[string][]string{}, map[string]string{}
	err := scanRows(ctx, e.s.read, `SELECT i.supplier_id, i.sku FROM supplier_items i JOIN variants v ON v.sku = i.sku
		WHERE i.rank = 1 AND v.active = 1 AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)`,
		func(r *sql.Rows) error {
			var id, sku string
			if err := r.Scan(&id, &sku); err != nil {
				return err
			}
			key := strings.ToLower(sku)
			e.primary[id] = append(e.primary[id], key)
			e.primaryFor[key] = id
			return nil
		})
	if err != nil {
		return fmt.Errorf("read primary suppliers: %w", err)
	}
	for _, keys := range e.primary {
		sort.Strings(keys) // here, not by ORDER BY on the NOCASE SKU
	}
	return nil
}

// readLate reads the open POs whose expected day has passed, with their outstanding lines.
func (e *evaluation) readLate(ctx context.Context) ([]latePO, error) {
	if e.lateRead {
		return e.late, nil
	}
	at := map[int64]int{}
	err := scanRows(ctx, e.s.read, `SELECT o.id, o.number, o.supplier_id, o.expected_at, l.sku, max(l.quantity - l.received, 0)
		FROM purchase_orders o JOIN purchase_order_lines l ON l.po_id = o.id
		WHERE o.status IN ('sent', 'partly_received') AND o.expected_at IS NOT NULL AND o.expected_at < ?
		ORDER BY o.expected_at, o.id, l.line_no`, func(r *sql.Rows) error {
		var po latePO
		var expected, sku string
		var n int64
		if err := r.Scan(&po.id, &po.number, &po.supplierID, &expected, &sku, &n); err != nil {
			return err
		}
		i, ok := at[po.id]
		if !ok {
			po.expected, po.outstanding = parseTime(expected), map[string]int64{}
			i = len(e.late)
			at[po.id] = i
			e.late = append(e.late, po)
		}
		key := strings.ToLower(sku)
		if n > 0 {
			e.late[i].outstanding[key] += n
			e.late[i].skus = append(e.late[i].skus, key)
		}
		return nil
	}, formatTime(startOfDayUTC(e.now)))
	if err != nil {
		return nil, fmt.Errorf("read late purchase orders: %w", err)
	}
	e.lateRead = true
	return e.late, nil
}

func (e *evaluation) supplierName(id string) string {
	if sp, ok := e.suppliers[id]; ok {
		return sp.Name
	}
	return "a supplier"
}

// scopeSuppliers lists the suppliers a supplier trigger watches: the rule's, the primary of its SKU,
// or all of them.
func (e *evaluation) scopeSuppliers(ctx context.Context, r ContingencyRule) ([]string, error) {
	switch {
	case r.SupplierID != "":
		return []string{r.SupplierID}, nil
	case r.SKU != "":
		if err := e.loadPrimaries(ctx); err != nil {
			return nil, err
		}
		if id, ok := e.primaryFor[strings.ToLower(r.SKU)]; ok {
			return []string{id}, nil
		}
		return nil, nil
	}
	var ids []string
	for id := range e.suppliers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// atRisk is what a failing supplier puts at risk: the SKUs it is primary for, or only the rule's SKU.
func (e *evaluation) atRisk(ctx context.Context, r ContingencyRule, supplierID string) ([]string, error) {
	keys, err := e.primaryOf(ctx, supplierID)
	if err != nil || r.SKU == "" {
		return keys, err
	}
	for _, k := range keys {
		if k == strings.ToLower(r.SKU) {
			return []string{k}, nil
		}
	}
	return nil, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// causes lists what makes one rule fire now.
func (e *evaluation) causes(ctx context.Context, r ContingencyRule) ([]cause, error) {
	var out []cause
	switch r.Trigger {
	case TriggerPOLate:
		late, err := e.readLate(ctx)
		if err != nil {
			return nil, err
		}
		for _, po := range late {
			// Days late count whole UTC days after the expected day, as SupplierPerformance counts a
			// delivery's: during the day after it a PO is 1 day late.
			daysLate := int(startOfDayUTC(e.now).Sub(startOfDayUTC(po.expected)).Hours() / 24)
			if daysLate <= r.LateDays || (r.SupplierID != "" && po.supplierID != r.SupplierID) {
				continue
			}
			skus := po.skus
			if r.SKU != "" {
				skus = nil
				if po.outstanding[strings.ToLower(r.SKU)] > 0 {
					skus = []string{strings.ToLower(r.SKU)}
				}
			}
			if len(skus) == 0 {
				continue
			}
			out = append(out, cause{rule: r, subject: "po:" + poRef(po.id), skus: skus, failing: po.supplierID, late: po.outstanding,
				message: fmt.Sprintf("%s from %s is %s late: it was expected on %s", po.number, e.supplierName(po.supplierID),
					plural(daysLate, "day", "days"), dateText(po.expected))})
		}
	case TriggerOnTimeBelow, TriggerSupplierUnavailable:
		ids, err := e.scopeSuppliers(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			sp, ok := e.suppliers[id]
			if !ok {
				continue
			}
			var msg string
			if r.Trigger == TriggerSupplierUnavailable {
				if sp.UnavailableSince == nil {
					continue
				}
				msg = fmt.Sprintf("%s has been unavailable since %s", sp.Name, dateText(*sp.UnavailableSince))
				if sp.UnavailableNote != "" {
					msg += " (" + sp.UnavailableNote + ")"
				}
			} else {
				if e.measured == nil && e.plan != nil {
					e.measured = e.plan.measured
				}
				if e.measured == nil {
					if e.measured, err = e.s.leadTimes(ctx, e.s.read, ""); err != nil {
						return nil, err
					}
				}
				ls := e.measured[id]
				if len(ls) < r.LastPOs {
					continue // too few deliveries to judge
				}
				onTime := 0
				for _, l := range ls[len(ls)-r.LastPOs:] {
					if l.OnTime() {
						onTime++
					}
				}
				if onTime*100 >= r.MinOnTime*r.LastPOs {
					continue
				}
				msg = fmt.Sprintf("%s delivered %d of its last %s on time (%d%%, below %d%%)", sp.Name, onTime,
					plural(r.LastPOs, "PO", "POs"), onTime*100/r.LastPOs, r.MinOnTime)
			}
			skus, err := e.atRisk(ctx, r, id)
			if err != nil {
				return nil, err
			}
			if r.SKU != "" && len(skus) == 0 {
				continue
			}
			msg += fmt.Sprintf("; it is the primary supplier of %s", plural(len(skus), "product", "products"))
			out = append(out, cause{rule: r, subject: "supplier:" + id, skus: skus, failing: id, message: msg})
		}
	case TriggerStockoutBeforeReceipt:
		p, err := e.loadPlan(ctx)
		if err != nil {
			return nil, err
		}
		var keys []string
		switch {
		case r.SKU != "":
			keys = []string{strings.ToLower(r.SKU)}
		case r.SupplierID != "":
			if keys, err = e.primaryOf(ctx, r.SupplierID); err != nil {
				return nil, err
			}
		default:
			for _, key := range p.hist.order {
				if p.planned(key) {
					keys = append(keys, key)
				}
			}
		}
		for _, key := range keys {
			if c, ok := e.stockoutCause(r, key); ok {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// stockoutCause checks one SKU for stockout_before_receipt: it runs out before the first open PO line
// for it arrives, or, with none open, before an order placed now could arrive (its lead time). A PO
// already past its expected day counts as arriving now: po_late is the rule for those.
func (e *evaluation) stockoutCause(r ContingencyRule, key string) (cause, bool) {
	p := e.plan
	sh := p.hist.skus[key]
	if sh == nil || sh.kit || !sh.active {
		return cause{}, false
	}
	l := p.line(key)
	if l.StockOutAt == nil {
		return cause{}, false
	}
	out := *l.StockOutAt
	name := l.SKU
	if l.Name != "" {
		name += " (" + l.Name + ")"
	}
	var next *openPOLine
	for i, pl := range p.poLines[key] {
		if pl.status.Open() && pl.outstanding > 0 && (next == nil || p.arrival(pl).Before(p.arrival(*next))) {
			next = &p.poLines[key][i]
		}
	}
	c := cause{rule: r, subject: "sku:" + l.SKU, skus: []string{key}}
	switch {
	case next != nil:
		arrives := p.arrival(*next)
		if !out.Before(arrives) {
			return cause{}, false
		}
		c.failing = next.supplierID
		c.message = fmt.Sprintf("%s runs out around %s, before its next delivery (%s from %s, due %s)", name, dateText(out),
			next.number, e.supplierName(next.supplierID), dateText(arrives))
	default:
		arrives := p.now.Add(days(l.LeadDays))
		if !out.Before(arrives) {
			return cause{}, false
		}
		c.message = fmt.Sprintf("%s runs out around %s and nothing is on order; an order placed today arrives around %s", name,
			dateText(out), dateText(arrives))
	}
	return c, true
}

// EvaluateContingencies checks every active rule against the shop at now and returns the alerts that
// fired in this call. A cause fires once while it lasts: evaluating again changes nothing until the
// cause goes (its alert is then cleared) or a new one appears; a cause that comes back fires anew.
// Alerts of rules switched off are cleared.
//
// The app calls it on start, after imports and receipts and when the day changes. Without active rules
// or live alerts it costs one query; otherwise it reads the shop once (one pass over the ledger and the
// window's orders, as ReorderPlan does) whatever the number of rules and SKUs.
//
// Any user who changes the shop may lead here (a packer receiving a delivery), so it asks only for a
// permission both the owner and the packer have: the rules were set by someone allowed to, and alerts
// carry no money. It writes alerts, so the accountant, who writes nothing, is refused; the alerts they
// read are the ones the owner's and the packers' sessions keep up to date.
func (s *Store) EvaluateContingencies(ctx context.Context, now time.Time) ([]ContingencyAlert, error) {
	if err := s.require(PermMoveStock); err != nil {
		return nil, err
	}
	var busy bool
	if err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contingency_rules WHERE active = 1)
		OR EXISTS (SELECT 1 FROM contingency_alerts WHERE cleared_at IS NULL)`).Scan(&busy); err != nil {
		return nil, fmt.Errorf("check contingency rules: %w", err)
	}
	if !busy {
		return nil, nil
	}
	rules, err := queryList(ctx, s.read, scanContingencyRule, `SELECT `+contingencyRuleColumns+` WHERE r.active = 1 ORDER BY r.created_at, r.id`)
	if err != nil {
		return nil, fmt.Errorf("read contingency rules: %w", err)
	}
	e := &evaluation{s: s, now: now, suppliers: map[string]Supplier{}}
	var causes []cause
	if len(rules) > 0 {
		sps, err := s.suppliers(ctx) // with their terms: what the rules decide must not depend on who runs them
		if err != nil {
			return nil, err
		}
		for _, sp := range sps {
			e.suppliers[sp.ID] = sp
		}
		for _, r := range rules {
			cs, err := e.causes(ctx, r)
			if err != nil {
				return nil, err
			}
			causes = append(causes, cs...)
		}
	}
	var fired []ContingencyAlert
	err = s.update(ctx, func(t *tx) error {
		fired = nil
		live := map[[2]string]int64{}
		err := scanRows(ctx, t, `SELECT id, rule_id, subject FROM contingency_alerts WHERE cleared_at IS NULL`, func(r *sql.Rows) error {
			var id int64
			var rule, subject string
			if err := r.Scan(&id, &rule, &subject); err != nil {
				return err
			}
			live[[2]string{rule, subject}] = id
			return nil
		})
		if err != nil {
			return fmt.Errorf("read live alerts: %w", err)
		}
		seen := map[[2]string]bool{}
		for _, c := range causes {
			seen[[2]string{c.rule.ID, c.subject}] = true
		}
		for k, id := range live {
			if seen[k] {
				continue
			}
			if _, err := t.ExecContext(ctx, `UPDATE contingency_alerts SET cleared_at = ?, hlc = ?, device_id = ? WHERE id = ?`,
				t.nowText(), t.hlc, t.s.device, id); err != nil {
				return fmt.Errorf("clear alert %d: %w", id, err)
			}
			if err := t.audit(ctx, "clear", "contingency_alert", fmt.Sprint(id), nil, map[string]string{"rule": k[0], "subject": k[1]}); err != nil {
				return err
			}
		}
		drafted := map[string]bool{} // SKUs a PO was drafted for in this run
		for _, c := range causes {
			if _, ok := live[[2]string{c.rule.ID, c.subject}]; ok {
				continue
			}
			a, err := e.fire(ctx, t, c, drafted)
			if err != nil {
				return err
			}
			fired = append(fired, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fired, nil
}

// fire records a new alert for a cause and carries out its rule's action.
func (e *evaluation) fire(ctx context.Context, t *tx, c cause, drafted map[string]bool) (ContingencyAlert, error) {
	a := ContingencyAlert{RuleID: c.rule.ID, Rule: c.rule.Describe(), Subject: c.subject, FiredAt: t.now}
	var note string
	var held map[int64][]string
	switch c.rule.Action {
	case ActionDraftBackupPO:
		pos, msg, err := e.draftBackup(ctx, t, c, drafted)
		if err != nil {
			return a, err
		}
		note = msg
		if len(pos) > 0 {
			a.PO = &pos[0]
		}
	case ActionListHeldOrders:
		var err error
		if held, err = e.heldOrders(ctx, c.skus); err != nil {
			return a, err
		}
		switch len(held) {
		case 0:
			note = "stock still covers every open order"
		default:
			note = plural(len(held), "open order is", "open orders are") + " held up"
		}
	}
	a.Message = c.message
	if note != "" {
		a.Message += "; " + note
	}
	a.Message += "."
	res, err := t.ExecContext(ctx, `INSERT INTO contingency_alerts(rule_id, subject, fired_at, message, po_id, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.RuleID, a.Subject, t.nowText(), a.Message, a.PO, t.hlc, t.s.device)
	if err != nil {
		return a, fmt.Errorf("record alert: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return a, fmt.Errorf("record alert: %w", err)
	}
	for id, skus := range held {
		for _, sku := range skus {
			if _, err := t.ExecContext(ctx, `INSERT INTO contingency_held_orders(alert_id, order_id, sku) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, a.ID, id, sku); err != nil {
				return a, fmt.Errorf("record held order %d: %w", id, err)
			}
		}
		a.HeldOrders = append(a.HeldOrders, id)
	}
	sort.Slice(a.HeldOrders, func(i, j int) bool { return a.HeldOrders[i] < a.HeldOrders[j] })
	return a, t.audit(ctx, "fire", "contingency_alert", fmt.Sprint(a.ID), nil, a)
}

// draftBackup drafts, per backup supplier, a PO for the cause's SKUs with the first available supplier
// in rank order other than the failing one. A late PO's SKUs are ordered in its outstanding quantity,
// others in what the reorder plan would suggest without the failing supplier's open orders; both
// rounded up to the backup's minimum order and packs. SKUs already on a draft or open order from
// another supplier, or drafted earlier in this run, are left alone. It returns the drafted POs' ids and
// a note for the alert.
func (e *evaluation) draftBackup(ctx context.Context, t *tx, c cause, drafted map[string]bool) ([]int64, string, error) {
	p, err := e.loadPlan(ctx)
	if err != nil {
		return nil, "", err
	}
	type group struct {
		supplierID string
		lines      []NewPOLine
	}
	var groups []*group
	bySupplier := map[string]*group{}
	var noBackup, covered []string
	for _, key := range c.skus {
		sh := p.hist.skus[key]
		if sh == nil || drafted[key] {
			continue
		}
		if other := e.orderedElsewhere(key, c.failing); other != "" {
			covered = append(covered, sh.sku)
			continue
		}
		b := p.source(key, c.failing)
		if b == nil {
			noBackup = append(noBackup, sh.sku)
			continue
		}
		var qty int64
		if c.late != nil {
			qty = orderQuantity(float64(c.late[key]), b.PackSize, b.MinOrderQty)
		} else {
			l := p.line(key)
			onOrder := l.OnOrder
			for _, pl := range p.poLines[key] {
				if pl.status.Open() && pl.supplierID == c.failing {
					onOrder -= pl.outstanding
				}
			}
			need := float64(l.ReorderPoint) + l.Velocity.PerDay*float64(p.settings.CoverDays) - float64(l.Sellable+onOrder)
			if need <= 0 {
				continue
			}
			qty = orderQuantity(need, b.PackSize, b.MinOrderQty)
		}
		g := bySupplier[b.SupplierID]
		if g == nil {
			g = &group{supplierID: b.SupplierID}
			bySupplier[b.SupplierID] = g
			groups = append(groups, g)
		}
		g.lines = append(g.lines, NewPOLine{SKU: sh.sku, Quantity: qty})
		drafted[key] = true
	}
	var ids []int64
	var notes []string
	for _, g := range groups {
		po, err := t.insertPO(ctx, NewPO{SupplierID: g.supplierID, Lines: g.lines, Notes: "Drafted by the contingency plan: " + c.rule.Describe() + "."}, POOriginContingency)
		if err != nil {
			return nil, "", err
		}
		ids = append(ids, po.ID)
		notes = append(notes, fmt.Sprintf("drafted %s with %s", po.Number, po.SupplierName))
	}
	if len(noBackup) > 0 {
		notes = append(notes, "no backup supplier is available for "+strings.Join(noBackup, ", "))
	}
	if len(covered) > 0 {
		notes = append(notes, strings.Join(covered, ", ")+" already on order elsewhere")
	}
	if len(notes) == 0 {
		notes = append(notes, "nothing needs ordering from a backup")
	}
	return ids, strings.Join(notes, "; "), nil
}

// orderedElsewhere is the number of a draft or open PO with units of the SKU still to come from a
// supplier other than the failing one, or "".
func (e *evaluation) orderedElsewhere(key, failing string) string {
	for _, pl := range e.plan.poLines[key] {
		if pl.supplierID != failing && (pl.status == POStatusDraft || pl.status.Open() && pl.outstanding > 0) {
			return pl.number
		}
	}
	return ""
}

// heldOrders lists, per open customer order, the SKUs of skus (lower case) that on-hand stock will not
// cover. Stock goes to open orders oldest first, as packing takes them; an order is held by a SKU once
// the units wanted by it and every older open order exceed what is on hand. A kit's order is held by
// its parts.
func (e *evaluation) heldOrders(ctx context.Context, skus []string) (map[int64][]string, error) {
	if !e.openRead {
		err := scanRows(ctx, e.s.read, `SELECT o.id, v.sku, l.quantity * l.pack * COALESCE(k.quantity, 1)
			FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN kit_components k ON k.kit_sku = l.sku
			JOIN variants v ON v.sku = COALESCE(k.component_sku, l.sku)
			WHERE l.open = 1 ORDER BY o.placed_at, o.channel, o.external_id, l.line_no`, func(r *sql.Rows) error {
			var l openLine
			if err := r.Scan(&l.order, &l.sku, &l.units); err != nil {
				return err
			}
			l.key = strings.ToLower(l.sku)
			e.openLines = append(e.openLines, l)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read open order lines: %w", err)
		}
		e.openRead = true
	}
	onHand, err := e.onHand(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, k := range skus {
		want[k] = true
	}
	wanted := map[string]int64{}
	out := map[int64][]string{}
	for _, l := range e.openLines {
		if !want[l.key] {
			continue
		}
		wanted[l.key] += l.units
		if wanted[l.key] <= max(onHand[l.key], 0) {
			continue
		}
		if held := out[l.order]; len(held) == 0 || held[len(held)-1] != l.sku {
			out[l.order] = append(held, l.sku)
		}
	}
	return out, nil
}

// onHand is every SKU's stock (lower case): the plan's when it was read, else one sum over the
// ledger's covering index.
func (e *evaluation) onHand(ctx context.Context) (map[string]int64, error) {
	if e.stock != nil {
		return e.stock, nil
	}
	out := map[string]int64{}
	e.stock = out
	if e.plan != nil {
		for key, sh := range e.plan.hist.skus {
			out[key] = sh.onHand
		}
		return out, nil
	}
	err := scanRows(ctx, e.s.read, `SELECT sku, SUM(on_hand) FROM stock_levels GROUP BY sku`, func(r *sql.Rows) error {
		var sku string
		var n int64
		if err := r.Scan(&sku, &n); err != nil {
			return err
		}
		out[strings.ToLower(sku)] += n
		return nil
	})
	if err != nil {
		e.stock = nil
		return nil, fmt.Errorf("sum stock on hand: %w", err)
	}
	return out, nil
}
