-- Argo CD health of a breakwater control resource (group ops.breakwater.dev), so that a
-- control the operator could not apply shows as Degraded in the application tree.
-- Argo CD runs this with the live object in the global `obj` and reads the returned table.
local hs = { status = "Progressing", message = "Waiting for the operator to act on this control" }

-- A control that requires approval and has none yet waits on a person, not on the operator:
-- Suspended, Argo CD's status for that, with the operator's Approved message when it has one.
local annotations = (obj.metadata and obj.metadata.annotations) or {}
local awaitingApproval = annotations["ops.breakwater.dev/requires-approval"] == "true"
  and (annotations["ops.breakwater.dev/approved-by"] == nil or annotations["ops.breakwater.dev/approved-by"] == "")
local phase = obj.status and obj.status.phase
if awaitingApproval and (phase == nil or phase == "Pending") then
  hs.status = "Suspended"
  hs.message = "Waiting for approval: someone with the breakwater-approver role annotates it ops.breakwater.dev/approved-by=<their user name>"
  for _, condition in ipairs((obj.status and obj.status.conditions) or {}) do
    if condition.type == "Approved" and condition.status == "False" and condition.message ~= nil and condition.message ~= "" then
      hs.message = condition.message
    end
  end
  return hs
end

if obj.status == nil or obj.status.phase == nil then
  return hs
end

local status = obj.status
local generation = obj.metadata and obj.metadata.generation
-- A status written for an older spec says nothing about the current one.
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  hs.message = "The operator has not yet observed generation " .. tostring(generation)
  return hs
end

local ready = nil
if status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end

local function describe(fallback)
  if status.message ~= nil and status.message ~= "" then
    return status.message
  end
  if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
    return ready.message
  end
  return fallback
end

if phase == "Failed" then
  hs.status = "Degraded"
  hs.message = describe("The control failed")
  return hs
end

if phase == "Pending" then
  hs.message = describe("The control is pending")
  return hs
end

-- Standing controls settle in Applied or Lifted, one-shot actions in Completed, and either
-- kind in Expired; each is healthy only once the operator also reports Ready=True.
local settled = { Applied = true, Completed = true, Lifted = true, Expired = true }
if settled[phase] then
  if ready ~= nil and ready.status == "True" then
    hs.status = "Healthy"
    hs.message = describe(phase)
  else
    hs.message = describe(phase .. ", waiting for Ready")
  end
  return hs
end

hs.status = "Unknown"
hs.message = "Unknown phase " .. tostring(phase)
return hs
